/**
 * scripts/org and the scratch-org workflow, without an org: a stand-in `sf` on PATH records what
 * the scripts would send (the anonymous Apex that stores the key, the Named Credential, each CLI
 * call of a scratch-org step), the coverage verdict is judged on a run in the CLI's documented JSON
 * shape, and the workflow is read for what it runs. The real CLI calls run only against a real org
 * (.github/workflows/scratch-org.yml).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, syntaxErrorsIn } from './support/apex-checks';
import { judgeApexRun } from '../../scripts/org/apex-results';

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

/**
 * A temporary HOME with a stand-in `sf` first on PATH, made afresh for each test of the calling
 * describe; `run` runs a script of scripts/org there with $CAPTURE (where stand-ins copy what they get).
 */
function withStandInSf(fakeSf: string) {
  const dirs = { work: '', capture: '' };
  beforeEach(() => {
    dirs.work = fs.mkdtempSync(path.join(os.tmpdir(), 'org-script-'));
    dirs.capture = path.join(dirs.work, 'capture');
    fs.mkdirSync(dirs.capture);
    fs.mkdirSync(path.join(dirs.work, 'bin'));
    fs.writeFileSync(path.join(dirs.work, 'bin', 'sf'), fakeSf, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dirs.work, { recursive: true, force: true }));
  const run = (script: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'org', script), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        PATH: `${path.join(dirs.work, 'bin')}:${process.env.PATH}`,
        HOME: dirs.work,
        CAPTURE: dirs.capture,
        RESULTS_DIR: path.join(dirs.work, 'results'),
        ...env,
      },
    });
  return { dirs, run };
}

describe('scripts/org/set-scoring-service.sh', () => {
  const standIn = withStandInSf(FAKE_SF);
  const run = (env: Record<string, string>) => standIn.run('set-scoring-service.sh', ['my-sandbox'], env);
  const capture = () => standIn.dirs.capture;

  it('stores the key through anonymous Apex that parses, keeps quotes escaped and never prints the key', () => {
    const key = "sk_test'quote\\slash_0123456789";
    const result = run({ SCORING_API_KEY: key });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('quote');
    const apex = fs.readFileSync(path.join(capture(), 'set-key.apex'), 'utf8');
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
      path.join(capture(), 'mdapi', 'namedCredentials', 'Scoring_Service.namedCredential'),
      'utf8',
    );
    expect(xml).toContain('<parameterValue>https://scoring.example.org:8443/base</parameterValue>');
    expect(xml).toContain('<externalCredential>Scoring_Service_Key</externalCredential>');
    expect(fs.readFileSync(path.join(capture(), 'mdapi', 'package.xml'), 'utf8')).toContain(
      '<name>NamedCredential</name>',
    );

    const refused = run({ SCORING_SERVICE_URL: 'http://scoring.example.org' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('https');
  });
});

/** A run of `sf apex run test --code-coverage --json` in the CLI's documented shape, with the given outcome. */
function apexRun(options: { failing?: number; coverage?: string }) {
  const failing = options.failing ?? 0;
  const tests = [
    {
      FullName: 'LeadTriggerHandlerTest.scoresEverySave',
      Outcome: 'Pass',
      Message: null,
      MethodName: 'scoresEverySave',
      RunTime: 812,
      ApexClass: { Name: 'LeadTriggerHandlerTest' },
    },
    {
      FullName: 'ScoringClientTest.sendsTheMappedInputs',
      Outcome: 'Pass',
      Message: null,
      MethodName: 'sendsTheMappedInputs',
      RunTime: 95,
      ApexClass: { Name: 'ScoringClientTest' },
    },
    ...Array.from({ length: failing }, (_, i) => ({
      FullName: `LeadScoreWriterTest.failure${i}`,
      Outcome: 'Fail',
      Message: `System.AssertException: Assertion Failed: history rows written: Expected: 200, Actual: ${i}`,
      MethodName: `failure${i}`,
      RunTime: 40,
      ApexClass: { Name: 'LeadScoreWriterTest' },
    })),
  ];
  return {
    status: failing > 0 ? 100 : 0,
    result: {
      summary: {
        outcome: failing > 0 ? 'Failed' : 'Passed',
        testsRan: tests.length,
        passing: 2,
        failing,
        skipped: 0,
        passRate: `${Math.round((100 * 2) / tests.length)}%`,
        failRate: `${Math.round((100 * failing) / tests.length)}%`,
        testStartTime: '2026-12-02T06:00:00.000Z',
        testExecutionTime: '907 ms',
        testTotalTime: '907 ms',
        commandTime: '2101 ms',
        hostname: 'https://example.my.salesforce.com',
        orgId: '00D000000000001',
        username: 'test-ci@example.com',
        testRunId: '7070000000000001',
        userId: '005000000000001',
        ...(options.coverage === undefined
          ? {}
          : { orgWideCoverage: options.coverage, testRunCoverage: options.coverage }),
      },
      tests,
      coverage: {
        coverage: [
          {
            id: '01p000000000001',
            name: 'LeadScoreWriter',
            totalLines: 120,
            lines: {},
            totalCovered: 90,
            coveredPercent: 75,
          },
          {
            id: '01p000000000002',
            name: 'ScoringClient',
            totalLines: 80,
            lines: {},
            totalCovered: 80,
            coveredPercent: 100,
          },
        ],
      },
    },
    warnings: [],
  };
}

describe('scripts/org/apex-results.ts', () => {
  it('passes a run with every test passing at or above the coverage target', () => {
    const verdict = judgeApexRun(apexRun({ coverage: '92%' }), 90);
    expect(verdict.ok).toBe(true);
    expect(verdict.coverage).toBe(92);
    expect(verdict.lines[0]).toBe(
      'Apex tests: 2 passed, 0 failed, 0 skipped (outcome Passed); org-wide coverage 92% (target 90%)',
    );
    // The class under the target is named even when the org-wide figure passes.
    expect(verdict.lines).toContain('    LeadScoreWriter: 75% (90/120 lines)');
  });

  it('fails a run under the target and says by how much', () => {
    const verdict = judgeApexRun(apexRun({ coverage: '89%' }), 90);
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toContain('  Coverage 89% is under the target 90%: add tests for the classes above');
  });

  it('fails a run with a failed test and names it with its message', () => {
    const verdict = judgeApexRun(apexRun({ failing: 1, coverage: '95%' }), 90);
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toContain(
      '  FAILED LeadScoreWriterTest.failure0: System.AssertException: Assertion Failed: history rows written: Expected: 200, Actual: 0',
    );
  });

  it('fails a run without coverage and a CLI error without a result', () => {
    expect(judgeApexRun(apexRun({}), 90)).toMatchObject({ ok: false, coverage: undefined });
    const error = judgeApexRun(
      { status: 1, name: 'NoOrgFound', message: 'No authorization information found for ci-1.' },
      90,
    );
    expect(error.ok).toBe(false);
    expect(error.lines[0]).toContain('NoOrgFound: No authorization information found for ci-1.');
  });
});

/** A stand-in sf that logs its arguments and answers `apex run test` with $APEX_RUN_JSON. */
const LOGGING_SF = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$CAPTURE/sf.log"
for ((i = 1; i <= $#; i++)); do
  if [[ "\${!i}" == --sfdx-url-file ]]; then j=$((i + 1)); cp "\${!j}" "$CAPTURE/url"; fi
done
if [[ "$1 $2 $3" == "apex run test" ]]; then cat "$APEX_RUN_JSON"; exit \${APEX_EXIT:-0}; fi
if [[ "$1 $2 $3" == "org display user" ]]; then printf '{"status":0,"result":{"id":"%s"}}' "\${ADMIN_ID-005xx000001Sv6eAAC}"; fi
`;

describe('scripts/org/scratch-org.sh, step by step', () => {
  const standIn = withStandInSf(LOGGING_SF);
  const run = (args: string[], env: Record<string, string> = {}) => standIn.run('scratch-org.sh', args, env);
  const capture = () => standIn.dirs.capture;
  const work = () => standIn.dirs.work;
  const sfCalls = () =>
    fs.existsSync(path.join(capture(), 'sf.log')) ? fs.readFileSync(path.join(capture(), 'sf.log'), 'utf8') : '';

  it('logs in to the Dev Hub through a file, never printing or passing the auth URL as an argument', () => {
    const url = 'force://PlatformCLI::5Aep861secret@example.my.salesforce.com';
    const result = run(['login', 'ci-1'], { DEVHUB_SFDX_URL: url, DEV_HUB: 'devhub' });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('secret');
    expect(sfCalls()).toMatch(/^org login sfdx-url --sfdx-url-file \S+ --alias devhub --set-default-dev-hub$/m);
    expect(sfCalls()).not.toContain('secret');
    expect(fs.readFileSync(path.join(capture(), 'url'), 'utf8')).toBe(url);
    expect(run(['login', 'ci-1']).stderr).toContain('DEVHUB_SFDX_URL is not set');
  });

  it('creates, deploys, assigns and deletes with the commands the workflow relies on', () => {
    for (const step of ['create', 'deploy', 'assign', 'delete'])
      expect(run([step, 'ci-1'], { DEV_HUB: 'devhub', DURATION_DAYS: '1' }).status).toBe(0);
    expect(sfCalls().trim().split('\n')).toEqual([
      'org create scratch --definition-file config/project-scratch-def.json --alias ci-1 --duration-days 1 --wait 15 --target-dev-hub devhub',
      'project deploy start --source-dir force-app --target-org ci-1 --wait 30',
      'org assign permset --name Lead_Scoring_User --name Lead_Scoring_Integration --target-org ci-1',
      'org display user --target-org ci-1 --json',
      "data update record --use-tooling-api --sobject PlatformEventSubscriberConfig --target-org ci-1 --where DeveloperName='Lead_Scoring_Request_Subscriber' --values UserId='005xx000001Sv6eAAC'",
      'org delete scratch --target-org ci-1 --no-prompt',
    ]);
  });

  it('refuses to set the event trigger user when the admin id cannot be read', () => {
    const result = run(['assign', 'ci-1'], { ADMIN_ID: '' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Could not read the admin user's id of ci-1");
    expect(sfCalls()).not.toContain('PlatformEventSubscriberConfig');
  });

  it('fails the test step on coverage under the target and passes it at the target', () => {
    const json = path.join(work(), 'run.json');
    fs.writeFileSync(json, JSON.stringify(apexRun({ coverage: '89%' })));
    const under = run(['test', 'ci-1'], { APEX_RUN_JSON: json });
    expect(under.status).toBe(1);
    expect(under.stdout).toContain('Coverage 89% is under the target 90%');
    expect(sfCalls()).toContain('apex run test --target-org ci-1 --test-level RunLocalTests --code-coverage');
    fs.writeFileSync(json, JSON.stringify(apexRun({ coverage: '90%' })));
    expect(run(['test', 'ci-1'], { APEX_RUN_JSON: json }).status).toBe(0);
    // Failed tests make sf exit 100; the verdict is still the parser's, naming the test.
    fs.writeFileSync(json, JSON.stringify(apexRun({ failing: 1, coverage: '95%' })));
    const failed = run(['test', 'ci-1'], { APEX_RUN_JSON: json, APEX_EXIT: '100' });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('FAILED LeadScoreWriterTest.failure0');
  });

  it('refuses the NUTs without a scoring service, naming what to set, and an unknown step', () => {
    const nuts = run(['nuts', 'ci-1'], { SCORING_SERVICE_URL: 'https://scoring.example.org' });
    expect(nuts.status).toBe(1);
    expect(nuts.stderr).toContain('set SCORING_API_KEY SCORING_ADMIN_KEY');
    const unknown = run(['deploy-all', 'ci-1']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown step 'deploy-all'");
    expect(sfCalls()).toBe('');
  });
});

describe('.github/workflows/scratch-org.yml', () => {
  const workflowFile = path.join(REPO_ROOT, '.github', 'workflows', 'scratch-org.yml');
  const workflow = parseYaml(fs.readFileSync(workflowFile, 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<
      string,
      {
        'runs-on': string;
        steps: { name?: string; run?: string; uses?: string; if?: string; env?: Record<string, string> }[];
      }
    >;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const scriptSteps = steps.filter((s) => s.run?.includes('scripts/org/'));
  const stepOf = (step: string) => scriptSteps.find((s) => s.run?.startsWith(`scripts/org/scratch-org.sh ${step} `));
  const accepted = /^STEPS=" ([a-z ]+) "$/m
    .exec(fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'org', 'scratch-org.sh'), 'utf8'))![1]
    .split(' ');

  it('runs on demand and calls only scripts that exist, with steps the script accepts', () => {
    expect(workflow.on).toHaveProperty('workflow_dispatch');
    expect(scriptSteps.length).toBeGreaterThanOrEqual(7);
    for (const step of scriptSteps) {
      const [script, name] = step.run!.trim().split(/\s+/);
      expect(fs.statSync(path.join(REPO_ROOT, script)).mode & 0o111).not.toBe(0);
      expect(accepted).toContain(name);
    }
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^actions\/[a-z-]+@v\d+$/);
  });

  it('logs in with DEVHUB_SFDX_URL, tests before the NUTs, and always deletes the org last', () => {
    expect(stepOf('login')?.env?.DEVHUB_SFDX_URL).toBe('${{ secrets.DEVHUB_SFDX_URL }}');
    const order = ['login', 'create', 'deploy', 'assign', 'service', 'test', 'nuts', 'delete'].map((s) =>
      steps.indexOf(stepOf(s)!),
    );
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(stepOf('delete')?.if).toBe('always()');
    expect(steps.at(-1)).toBe(stepOf('delete'));
    const job = Object.values(workflow.jobs)[0] as unknown as { env: Record<string, string> };
    expect(job.env.COVERAGE_TARGET).toContain("'90'");
    for (const secret of ['SCORING_SERVICE_URL', 'SCORING_API_KEY', 'SCORING_ADMIN_KEY'])
      expect(stepOf('nuts')?.env?.[secret]).toBe(`\${{ secrets.${secret} }}`);
  });

  it('creates the org from a scratch definition that follows the CLI schema', () => {
    // @salesforce/schemas ships the JSON Schema of project-scratch-def.json that the CLI documents.
    const schema = JSON.parse(
      fs.readFileSync(require.resolve('@salesforce/schemas/project-scratch-def.schema.json'), 'utf8'),
    );
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const definition = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'config', 'project-scratch-def.json'), 'utf8'));
    expect(validate(definition) ? [] : validate.errors).toEqual([]);
    expect(validate({ ...definition, edition: 'Ultimate' })).toBe(false);
  });
});
