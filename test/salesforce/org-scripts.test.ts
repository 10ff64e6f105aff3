/**
 * scripts/org/set-scoring-service.sh without an org: a stand-in `sf` on PATH records what the
 * script would send, so the anonymous Apex that stores the key and the Named Credential it
 * deploys can be checked here. The real CLI calls are exercised only against a scratch org.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, syntaxErrorsIn } from './support/apex-checks';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'org', 'set-scoring-service.sh');
// A stand-in for the sf CLI: copies the files it is given to $CAPTURE and prints nothing.
const FAKE_SF = `#!/usr/bin/env bash
set -euo pipefail
args=("$@")
for ((i = 0; i < \${#args[@]}; i++)); do
  case "\${args[$i]}" in
    --file) cp "\${args[$((i + 1))]}" "$CAPTURE/set-key.apex" ;;
    --metadata-dir) cp -r "\${args[$((i + 1))]}" "$CAPTURE/mdapi" ;;
  esac
done
`;

describe('scripts/org/set-scoring-service.sh', () => {
  let work: string;
  let capture: string;
  const run = (env: Record<string, string>) =>
    spawnSync('bash', [SCRIPT, 'my-sandbox'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: `${path.join(work, 'bin')}:${process.env.PATH}`, HOME: work, CAPTURE: capture, ...env },
    });

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'org-script-'));
    capture = path.join(work, 'capture');
    fs.mkdirSync(capture);
    fs.mkdirSync(path.join(work, 'bin'));
    fs.writeFileSync(path.join(work, 'bin', 'sf'), FAKE_SF, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('stores the key through anonymous Apex that parses, keeps quotes escaped and never prints the key', () => {
    const key = "sk_test'quote\\slash_0123456789";
    const result = run({ SCORING_API_KEY: key });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('quote');
    const apex = fs.readFileSync(path.join(capture, 'set-key.apex'), 'utf8');
    expect(syntaxErrorsIn(apex, 'anonymous')).toEqual([]);
    expect(apex).toContain("apiKey.value = 'sk_test\\'quote\\\\slash_0123456789';");
    expect(apex).toContain("input.externalCredential = 'Scoring_Service_Key';");
    expect(apex).toContain("input.principalName = 'Scoring_Integration';");
    expect(apex).toContain("'ApiKey' => apiKey");
  });

  it('deploys the Named Credential with the given https URL and refuses anything else', () => {
    const ok = run({ SCORING_SERVICE_URL: 'https://scoring.example.org:8443/base' });
    expect(ok.status).toBe(0);
    const xml = fs.readFileSync(
      path.join(capture, 'mdapi', 'namedCredentials', 'Scoring_Service.namedCredential'),
      'utf8',
    );
    expect(xml).toContain('<parameterValue>https://scoring.example.org:8443/base</parameterValue>');
    expect(xml).toContain('<externalCredential>Scoring_Service_Key</externalCredential>');
    expect(fs.readFileSync(path.join(capture, 'mdapi', 'package.xml'), 'utf8')).toContain(
      '<name>NamedCredential</name>',
    );

    const refused = run({ SCORING_SERVICE_URL: 'http://scoring.example.org' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('https');
  });
});
