#!/usr/bin/env bash
# Points the Scoring_Service Named Credential at a scoring service and stores its API key in
# the Scoring_Service_Key External Credential (principal Scoring_Integration, parameter ApiKey).
# Secrets are not deployable metadata, so this runs after every deploy to a new org.
#
# Usage: SCORING_SERVICE_URL=https://scoring.example.com SCORING_API_KEY=... scripts/org/set-scoring-service.sh <org alias>
# Either variable may be left unset to skip that step. The key is written to a temporary
# anonymous Apex file (mode 600, deleted on exit) and never printed.
set -euo pipefail

ORG="${1:?usage: set-scoring-service.sh <org alias>}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
command -v sf >/dev/null || PATH="$ROOT/node_modules/.bin:$PATH"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [[ -n "${SCORING_SERVICE_URL:-}" ]]; then
  [[ "$SCORING_SERVICE_URL" =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$ ]] \
    || { echo "SCORING_SERVICE_URL must be an https URL without query or fragment" >&2; exit 1; }
  echo "==> Pointing Named Credential Scoring_Service at $SCORING_SERVICE_URL"
  mkdir -p "$WORK/mdapi/namedCredentials"
  sed "s#<parameterValue>https://[^<]*</parameterValue>#<parameterValue>${SCORING_SERVICE_URL}</parameterValue>#" \
    force-app/install/namedCredentials/Scoring_Service.namedCredential-meta.xml \
    > "$WORK/mdapi/namedCredentials/Scoring_Service.namedCredential"
  cat > "$WORK/mdapi/package.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types>
        <members>Scoring_Service</members>
        <name>NamedCredential</name>
    </types>
    <version>67.0</version>
</Package>
XML
  sf project deploy start --metadata-dir "$WORK/mdapi" --target-org "$ORG" --wait 10
fi

if [[ -n "${SCORING_API_KEY:-}" ]]; then
  echo "==> Storing the API key in External Credential Scoring_Service_Key (not printed)"
  umask 077
  KEY_ESCAPED="$(printf '%s' "$SCORING_API_KEY" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")"
  cat > "$WORK/set-key.apex" <<APEX
ConnectApi.CredentialInput input = new ConnectApi.CredentialInput();
input.externalCredential = 'Scoring_Service_Key';
input.principalName = 'Scoring_Integration';
input.principalType = ConnectApi.CredentialPrincipalType.NamedPrincipal;
input.authenticationProtocol = ConnectApi.CredentialAuthenticationProtocol.Custom;
ConnectApi.CredentialValueInput apiKey = new ConnectApi.CredentialValueInput();
apiKey.encrypted = true;
apiKey.value = '${KEY_ESCAPED}';
input.credentials = new Map<String, ConnectApi.CredentialValueInput>{ 'ApiKey' => apiKey };
try {
    ConnectApi.NamedCredentials.createCredential(input);
    System.debug('Scoring key created');
} catch (Exception e) {
    ConnectApi.NamedCredentials.updateCredential(input);
    System.debug('Scoring key updated');
}
APEX
  sf apex run --target-org "$ORG" --file "$WORK/set-key.apex" > "$WORK/out.txt" 2>&1 \
    || { grep -v "apiKey.value" "$WORK/out.txt" | tail -20 >&2; exit 1; }
  echo "    done"
fi
