/**
 * Reads the `--json` result of `sf apex run test --code-coverage` and decides the run: every test
 * passed and org-wide coverage is at least the target. Prints a summary (failed tests with their
 * message, the least-covered classes) and exits 1 otherwise.
 *
 * Usage: npx tsx scripts/org/apex-results.ts <run.json> [target percent, default 90]
 *
 * The shape is the CLI's documented JSON (Salesforce CLI Command Reference, "apex run test"; the
 * `TestResult` of @salesforce/apex-node): `result.summary` with `outcome`, `passing`, `failing`,
 * `skipped`, `testsRan` and, with --code-coverage, `orgWideCoverage` ("92%"); `result.tests[]` with
 * `FullName`, `Outcome` (Pass, Fail, CompileFail, Skip) and `Message`; `result.coverage.coverage[]`
 * with `name`, `totalLines`, `totalCovered` and `coveredPercent`. Lead data never appears here:
 * messages are the tests' own assertion texts.
 */
import * as fs from 'node:fs';

export interface ApexRunVerdict {
  ok: boolean;
  coverage: number | undefined;
  lines: string[];
}

interface ApexRunJson {
  status?: number;
  message?: string;
  name?: string;
  result?: {
    summary?: Record<string, unknown>;
    tests?: { FullName?: string; Outcome?: string; Message?: string | null }[];
    coverage?: { coverage?: { name?: string; totalLines?: number; totalCovered?: number; coveredPercent?: number }[] };
  };
}

const percent = (value: unknown): number | undefined => {
  const parsed = Number.parseFloat(String(value ?? '').replace('%', ''));
  return Number.isFinite(parsed) ? parsed : undefined;
};

/** The verdict on one test run; `target` is the minimum org-wide coverage in percent. */
export function judgeApexRun(run: ApexRunJson, target: number): ApexRunVerdict {
  const lines: string[] = [];
  const summary = run.result?.summary;
  if (!summary) {
    // A CLI error (no org, compile failure of the run itself) has no result: say what the CLI said.
    lines.push(
      `No test result in the JSON: ${run.name ?? 'error'}: ${run.message ?? 'unknown'}; run "sf apex run test" by hand to see why`,
    );
    return { ok: false, coverage: undefined, lines };
  }
  const coverage = percent(summary.orgWideCoverage);
  const failedTests = (run.result?.tests ?? []).filter((t) => t.Outcome !== 'Pass' && t.Outcome !== 'Skip');
  lines.push(
    `Apex tests: ${summary.passing ?? 0} passed, ${summary.failing ?? 0} failed, ${summary.skipped ?? 0} skipped (outcome ${summary.outcome}); ` +
      `org-wide coverage ${coverage === undefined ? 'not reported' : `${coverage}%`} (target ${target}%)`,
  );
  for (const test of failedTests) lines.push(`  FAILED ${test.FullName}: ${test.Message ?? test.Outcome}`);
  const classes = (run.result?.coverage?.coverage ?? [])
    .filter((c) => typeof c.coveredPercent === 'number')
    .sort((a, b) => (a.coveredPercent ?? 0) - (b.coveredPercent ?? 0));
  const below = classes.filter((c) => (c.coveredPercent ?? 0) < target);
  if (below.length > 0) {
    lines.push(`  Classes under ${target}%:`);
    for (const c of below) lines.push(`    ${c.name}: ${c.coveredPercent}% (${c.totalCovered}/${c.totalLines} lines)`);
  }
  if (coverage === undefined) lines.push('  No org-wide coverage in the result: run with --code-coverage');
  else if (coverage < target)
    lines.push(`  Coverage ${coverage}% is under the target ${target}%: add tests for the classes above`);
  const ok = summary.outcome === 'Passed' && failedTests.length === 0 && coverage !== undefined && coverage >= target;
  return { ok, coverage, lines };
}

function main(argv: string[]): number {
  const [file, targetText = '90'] = argv;
  const target = Number(targetText);
  if (!file || !Number.isFinite(target) || target < 0 || target > 100) {
    console.error('usage: apex-results.ts <run.json> [target percent 0-100, default 90]');
    return 2;
  }
  let run: ApexRunJson;
  try {
    run = JSON.parse(fs.readFileSync(file, 'utf8')) as ApexRunJson;
  } catch (error) {
    console.error(`${file}: not the JSON of "sf apex run test --json" (${(error as Error).message})`);
    return 1;
  }
  const verdict = judgeApexRun(run, target);
  for (const line of verdict.lines) console.log(line);
  return verdict.ok ? 0 : 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
