#!/usr/bin/env bash
# Runs the Salesforce package in a real org, step by step: the same steps
# .github/workflows/scratch-org.yml runs, each one runnable by hand. CI here has no org; see
# docs/salesforce.md, "CI against a real org".
#
# Usage: scripts/org/scratch-org.sh [step] [alias]
#   steps: login    log in to the Dev Hub from DEVHUB_SFDX_URL (an "sfdx auth URL", never printed)
#          create   create a scratch org from config/project-scratch-def.json
#          deploy   deploy force-app
#          assign   assign the permission sets to the org's admin user and run the event trigger as that user
#          service  point the Named Credential at SCORING_SERVICE_URL and store SCORING_API_KEY
#          test     run every local Apex test with coverage; fail on a failure or under COVERAGE_TARGET
#          nuts     run the sf-plugin NUTs against the org
#          delete   delete the scratch org
#          all      create, deploy, assign, service, test (default; delete too when KEEP_ORG=0)
#   alias                alias of the scratch org (default lead-scoring)
#   DEVHUB_SFDX_URL      for login: the Dev Hub's auth URL (sf org display --verbose --json, sfdxAuthUrl)
#   DEV_HUB              Dev Hub alias or username (default: the CLI's default Dev Hub)
#   SCORING_SERVICE_URL  https URL of a scoring service Salesforce can reach (service, nuts)
#   SCORING_API_KEY      a client key of that service (service, nuts; read from the environment, never echoed)
#   SCORING_ADMIN_KEY    an admin key of that service (nuts)
#   COVERAGE_TARGET      minimum org-wide Apex coverage in percent (default 90)
#   RESULTS_DIR          where test results go (default: a new temporary directory)
#   DURATION_DAYS        scratch org lifetime in days (default 7; CI uses 1)
#   KEEP_ORG=0           with "all": delete the scratch org at the end (default: keep it for a look around)
set -euo pipefail

STEPS=" login create deploy assign service test nuts delete all "
if [[ $# -eq 1 && "$STEPS" != *" $1 "* ]]; then set -- all "$1"; fi # the older form: scratch-org.sh <alias>
STEP="${1:-all}"
ALIAS="${2:-lead-scoring}"
COVERAGE_TARGET="${COVERAGE_TARGET:-90}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# The sf CLI: on PATH, or the copy in the repo's devDependencies.
if ! command -v sf >/dev/null; then
  [[ -x "$ROOT/node_modules/.bin/sf" ]] || { echo "The Salesforce CLI is needed: npm install (repo) or npm install --global @salesforce/cli" >&2; exit 1; }
  PATH="$ROOT/node_modules/.bin:$PATH"
fi

login() {
  [[ -n "${DEVHUB_SFDX_URL:-}" ]] || { echo "DEVHUB_SFDX_URL is not set: export the Dev Hub's sfdxAuthUrl (sf org display --verbose --json -o <hub>)" >&2; exit 1; }
  echo "==> Logging in to the Dev Hub (auth URL not printed)"
  local url_file
  url_file="$(umask 077 && mktemp)"
  printf '%s' "$DEVHUB_SFDX_URL" > "$url_file"
  sf org login sfdx-url --sfdx-url-file "$url_file" --alias "${DEV_HUB:-devhub}" --set-default-dev-hub > /dev/null \
    || { rm -f "$url_file"; echo "Dev Hub login failed: check DEVHUB_SFDX_URL" >&2; exit 1; }
  rm -f "$url_file"
}

create() {
  echo "==> Creating scratch org $ALIAS"
  sf org create scratch --definition-file config/project-scratch-def.json --alias "$ALIAS" --duration-days "${DURATION_DAYS:-7}" \
    --wait 15 ${DEV_HUB:+--target-dev-hub "$DEV_HUB"}
}

deploy() {
  echo "==> Deploying force-app to $ALIAS"
  sf project deploy start --source-dir force-app --target-org "$ALIAS" --wait 30
}

assign() {
  echo "==> Assigning the permission sets to the admin user of $ALIAS"
  sf org assign permset --name Lead_Scoring_User --name Lead_Scoring_Integration --target-org "$ALIAS"
  # Scoring runs as the event trigger's subscriber user (docs/salesforce.md, Install step 3): here the admin,
  # who now holds the External Credential principal. Shipped without a user, it would run as Automated Process.
  local user_id
  user_id="$(sf org display user --target-org "$ALIAS" --json | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { process.stdout.write(JSON.parse(s).result.id ?? ""); } catch {} })')"
  [[ "$user_id" =~ ^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$ ]] || { echo "Could not read the admin user's id of $ALIAS (sf org display user)" >&2; exit 1; }
  echo "==> Running the scoring event trigger of $ALIAS as the admin user"
  sf data update record --use-tooling-api --sobject PlatformEventSubscriberConfig --target-org "$ALIAS" \
    --where "DeveloperName='Lead_Scoring_Request_Subscriber'" --values "UserId='$user_id'"
}

service() {
  "$ROOT/scripts/org/set-scoring-service.sh" "$ALIAS"
}

apex_tests() {
  local results="${RESULTS_DIR:-$(mktemp -d)}"
  mkdir -p "$results"
  echo "==> Running the Apex tests of $ALIAS with coverage (results in $results)"
  # Exit code 100 means failed tests; the JSON says which, so the verdict is the parser's.
  sf apex run test --target-org "$ALIAS" --test-level RunLocalTests --code-coverage --result-format json \
    --output-dir "$results" --wait 60 --json > "$results/run.json" || true
  npx --no-install tsx "$ROOT/scripts/org/apex-results.ts" "$results/run.json" "$COVERAGE_TARGET"
}

nuts() {
  local missing=()
  for name in SCORING_SERVICE_URL SCORING_API_KEY SCORING_ADMIN_KEY; do [[ -n "${!name:-}" ]] || missing+=("$name"); done
  if ((${#missing[@]} > 0)); then
    echo "The NUTs need a scoring service the org can reach: set ${missing[*]}" >&2
    exit 1
  fi
  echo "==> Running the sf-plugin NUTs against $ALIAS"
  SCORING_NUT_ORG="$ALIAS" npm run test:nuts -w sf-plugin
}

delete() {
  echo "==> Deleting scratch org $ALIAS"
  sf org delete scratch --target-org "$ALIAS" --no-prompt
}

case "$STEP" in
  login) login ;;
  create) create ;;
  deploy) deploy ;;
  assign) assign ;;
  service) service ;;
  test) apex_tests ;;
  nuts) nuts ;;
  delete) delete ;;
  all)
    create
    deploy
    assign
    service
    apex_tests
    if [[ "${KEEP_ORG:-1}" == "0" ]]; then delete; fi
    ;;
  *)
    echo "unknown step '$STEP': use login, create, deploy, assign, service, test, nuts, delete or all" >&2
    exit 2
    ;;
esac
