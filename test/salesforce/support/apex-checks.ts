/**
 * Offline checks of the Salesforce project, shared by the jest suites in test/salesforce.
 * An org cannot be reached from CI, so this is as far as the tools go without one:
 * syntax (apex-parser), semantics against the project's own metadata (apex-ls, from the
 * jars bundled in @salesforce/code-analyzer-pmd-engine), PMD security and best-practice
 * rules (Code Analyzer core + PMD engine), custom names used in Apex against the metadata,
 * and conversion of the whole source tree to Metadata API format (source-deploy-retrieve).
 */
import { spawnSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface SourceProblem {
  file: string;
  line: number;
  message: string;
}

/** Files under a project's force-app whose name `accept`s, skipping folders named in `skip`; sorted. */
export function forceAppFiles(projectDir: string, accept: (name: string) => boolean, skip: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skip.includes(entry.name)) walk(full);
      } else if (accept(entry.name)) {
        found.push(full);
      }
    }
  };
  walk(path.join(projectDir, 'force-app'));
  return found.sort();
}

/** Every .cls and .trigger under a project's force-app. */
export function apexFiles(projectDir: string): string[] {
  return forceAppFiles(projectDir, (name) => /\.(cls|trigger)$/.test(name), ['node_modules', 'lwc']);
}

class CollectingListener extends ApexErrorListener {
  readonly problems: SourceProblem[] = [];
  constructor(private readonly file: string) {
    super();
  }
  apexSyntaxError(line: number, column: number, msg: string): void {
    this.problems.push({ file: this.file, line, message: `${column}: ${msg}` });
  }
}

/** Syntax errors of Apex source: a class, a trigger, or anonymous Apex (what `sf apex run` executes). */
export function syntaxErrorsIn(
  source: string,
  unit: 'class' | 'trigger' | 'anonymous',
  file = '<source>',
): SourceProblem[] {
  const listener = new CollectingListener(file);
  const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
  if (unit === 'trigger') parser.triggerUnit();
  else if (unit === 'anonymous') parser.anonymousUnit();
  else parser.compilationUnit();
  return listener.problems;
}

/** Syntax errors of one Apex file (class or trigger). */
export function syntaxErrors(file: string): SourceProblem[] {
  return syntaxErrorsIn(fs.readFileSync(file, 'utf8'), file.endsWith('.trigger') ? 'trigger' : 'class', file);
}

export interface ApexLsResult {
  exitCode: number | null;
  /** Issue lines, each prefixed with the file it belongs to. */
  issues: string[];
  output: string;
}

/** Where the apex-ls jars are: inside the Code Analyzer PMD engine package. */
export function apexLsClasspath(): string {
  const engineDir = path.dirname(require.resolve('@salesforce/code-analyzer-pmd-engine/package.json'));
  return path.join(engineDir, 'dist', 'java-lib', '*');
}

/**
 * Runs apex-ls CheckForIssues over an SFDX project (errors and warnings, no cache). Exit code 0 means
 * no issues; 4 means issues were found. Asynchronous so suites can overlap it with other work.
 */
export function runApexLs(projectDir: string): Promise<ApexLsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'java',
      ['-cp', apexLsClasspath(), 'io.github.apexdevtools.apexls.CheckForIssues', '-w', projectDir, '-n', '-d', 'warnings'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        // apex-ls looks for a cache directory under HOME; -n disables the cache, and this keeps it out of the user's home.
        env: { ...process.env, APEXLINK_CACHE_DIR: path.join(projectDir, '.apexlink-cache') },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const issues: string[] = [];
      let currentFile = '';
      for (const line of output.split('\n')) {
        if (line.startsWith('/')) currentFile = line.trim();
        else if (/^(Error|Missing|Syntax|Warning):/.test(line))
          issues.push(`${path.relative(projectDir, currentFile)}: ${line.trim()}`);
      }
      resolve({ exitCode, issues, output });
    });
  });
}

/** Whether a JDK that can run apex-ls and PMD is on PATH. */
export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

export interface PmdViolation {
  rule: string;
  severity: number;
  file: string;
  line: number;
  message: string;
}

/**
 * Runs PMD's Apex security and best-practice rules (all of them, recommended or not) through
 * Code Analyzer core over the project's Apex and metadata. LWC is left to ESLint: PMD's
 * JavaScript rules predate ES modules.
 */
export async function runPmd(projectDir: string): Promise<{ violations: PmdViolation[]; ruleCount: number }> {
  const { CodeAnalyzer, CodeAnalyzerConfig } = await import('@salesforce/code-analyzer-core');
  const pmdEngine = await import('@salesforce/code-analyzer-pmd-engine');
  const config = CodeAnalyzerConfig.fromObject({
    log_folder: fs.mkdtempSync(path.join(os.tmpdir(), 'pmd-log-')),
    engines: { cpd: { disable_engine: true } },
  });
  const analyzer = new CodeAnalyzer(config);
  await analyzer.addEnginePlugin(pmdEngine.createEnginePlugin());
  const defaultDir = path.join(projectDir, 'force-app', 'main', 'default');
  const targets = fs
    .readdirSync(defaultDir)
    .filter((name) => name !== 'lwc')
    .map((name) => path.join(defaultDir, name));
  const workspace = await analyzer.createWorkspace(targets);
  const selection = await analyzer.selectRules(['pmd:(Security,BestPractices)'], { workspace });
  const results = await analyzer.run(selection, { workspace });
  const violations = results.getViolations().map((v) => ({
    rule: v.getRule().getName(),
    severity: v.getRule().getSeverityLevel() as number,
    file: path.relative(projectDir, v.getPrimaryLocation().getFile() ?? ''),
    line: v.getPrimaryLocation().getStartLine() ?? 0,
    message: v.getMessage(),
  }));
  return { violations, ruleCount: selection.getCount() };
}

/** Custom object, field and relationship names the project's metadata defines. */
export function metadataNames(projectDir: string): Set<string> {
  const names = new Set<string>();
  const objectsDir = path.join(projectDir, 'force-app', 'main', 'default', 'objects');
  for (const objectName of fs.readdirSync(objectsDir)) {
    names.add(objectName.toLowerCase());
    const fieldsDir = path.join(objectsDir, objectName, 'fields');
    if (!fs.existsSync(fieldsDir)) continue;
    for (const file of fs.readdirSync(fieldsDir)) {
      const fieldName = file.replace(/\.field-meta\.xml$/, '');
      names.add(fieldName.toLowerCase());
      const relationship = /<relationshipName>([^<]+)<\/relationshipName>/.exec(
        fs.readFileSync(path.join(fieldsDir, file), 'utf8'),
      );
      if (relationship) {
        // Child side (subqueries from the parent) and parent side (Lead__c -> Lead__r).
        names.add(`${relationship[1]}__r`.toLowerCase());
        names.add(fieldName.replace(/__c$/i, '__r').toLowerCase());
      }
    }
  }
  return names;
}

/**
 * Custom names (`__c`, `__r`, `__mdt`, `__e`) used in Apex code (identifiers and SOQL, not
 * strings or comments) that no metadata in the project defines. apex-ls does not check fields
 * of standard objects that the project extends (such as Lead), so this closes that gap.
 */
export function unknownCustomNames(projectDir: string): SourceProblem[] {
  const known = metadataNames(projectDir);
  const problems: SourceProblem[] = [];
  for (const file of apexFiles(projectDir)) {
    const lexer = ApexParserFactory.createLexer(fs.readFileSync(file, 'utf8'));
    for (const token of lexer.getAllTokens()) {
      const text = token.text ?? '';
      if (/__(c|r|mdt|e)$/i.test(text) && /^[A-Za-z][A-Za-z0-9_]*$/.test(text) && !known.has(text.toLowerCase())) {
        problems.push({ file, line: token.line, message: `${text} is not defined in the project's metadata` });
      }
    }
  }
  return problems;
}

/** Converts the project's force-app to Metadata API format; returns the package.xml text and the component count. */
export async function convertToMetadataFormat(
  projectDir: string,
  outputDir: string,
): Promise<{ packageXml: string; components: number }> {
  const { ComponentSet, MetadataConverter } = await import('@salesforce/source-deploy-retrieve');
  const components = ComponentSet.fromSource(path.join(projectDir, 'force-app'));
  await new MetadataConverter().convert(components, 'metadata', {
    type: 'directory',
    outputDirectory: outputDir,
    packageName: 'lead-scoring',
  });
  const packageXml = fs.readFileSync(path.join(outputDir, 'lead-scoring', 'package.xml'), 'utf8');
  return { packageXml, components: components.size };
}

/** Copies what the checks read (sfdx-project.json, .forceignore, force-app without LWC) to a fresh temp project. */
export function copyProject(targetDir: string): void {
  fs.copyFileSync(path.join(REPO_ROOT, 'sfdx-project.json'), path.join(targetDir, 'sfdx-project.json'));
  fs.copyFileSync(path.join(REPO_ROOT, '.forceignore'), path.join(targetDir, '.forceignore'));
  fs.cpSync(path.join(REPO_ROOT, 'force-app'), path.join(targetDir, 'force-app'), {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}lwc`) && !source.includes(`${path.sep}node_modules`),
  });
}
