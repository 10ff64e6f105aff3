#!/usr/bin/env bash
# Runs the Salesforce package in a real org: creates a scratch org, deploys force-app,
# assigns the permission sets, points the Named Credential at the scoring service, stores
# the API key in the External Credential, runs every Apex test with coverage and checks the
# org-wide coverage against a target. Not part of CI (CI has no org); see docs/salesforce.md.
#
# Usage: scripts/org/scratch-org.sh [alias]
#   SCORING_SERVICE_URL  https URL of a scoring service Salesforce can reach (optional)
#   SCORING_API_KEY      a client key of that service (optional; read from the environment, never echoed)
#   DEV_HUB              Dev Hub alias or username (default: the CLI's default Dev Hub)
#   COVERAGE_TARGET      minimum org-wide Apex coverage in percent (default 90)
#   KEEP_ORG=0           delete the scratch org at the end (default: keep it for a look around)
set -euo pipefail

ALIAS="${1:-lead-scoring}"
COVERAGE_TARGET="${COVERAGE_TARGET:-90}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# The sf CLI: on PATH, or the copy in the repo's devDependencies.
if ! command -v sf >/dev/null; then
  [[ -x "$ROOT/node_modules/.bin/sf" ]] || { echo "The Salesforce CLI is needed: npm install (repo) or npm install --global @salesforce/cli" >&2; exit 1; }
  PATH="$ROOT/node_modules/.bin:$PATH"
fi

echo "==> Creating scratch org $ALIAS"
sf org create scratch --definition-file config/project-scratch-def.json --alias "$ALIAS" --duration-days 7 --wait 15 \
  ${DEV_HUB:+--target-dev-hub "$DEV_HUB"}

echo "==> Deploying force-app"
sf project deploy start --source-dir force-app --target-org "$ALIAS" --wait 30

echo "==> Assigning permission sets to the admin user"
sf org assign permset --name Lead_Scoring_User --name Lead_Scoring_Integration --target-org "$ALIAS"

"$ROOT/scripts/org/set-scoring-service.sh" "$ALIAS"

echo "==> Running Apex tests with coverage"
RESULTS="$(mktemp -d)"
sf apex test run --target-org "$ALIAS" --test-level RunLocalTests --code-coverage --result-format json \
  --output-dir "$RESULTS" --wait 60 > "$RESULTS/run.json" || true
node -e '
  const run = require(process.argv[1]);
  const summary = (run.result || {}).summary || {};
  const coverage = parseFloat(String(summary.orgWideCoverage || "0").replace("%", ""));
  const target = Number(process.argv[2]);
  console.log(`Tests: ${summary.passing} passed, ${summary.failing} failed; org-wide coverage ${coverage}% (target ${target}%)`);
  for (const t of ((run.result || {}).tests || []).filter((t) => t.Outcome !== "Pass")) console.log(`  FAILED ${t.FullName}: ${t.Message}`);
  process.exit(summary.outcome === "Passed" && coverage >= target ? 0 : 1);
' "$RESULTS/run.json" "$COVERAGE_TARGET"

if [[ "${KEEP_ORG:-1}" == "0" ]]; then
  sf org delete scratch --target-org "$ALIAS" --no-prompt
fi
