/**
 * The offline checks fail when they should: a copy of the project with a syntax error, an
 * unknown field and an injectable query is refused by the same checks apex-offline.test.ts runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { apexFiles, copyProject, runApexLs, runPmd, syntaxErrors, unknownCustomNames } from './support/apex-checks';

jest.setTimeout(240_000);

const META = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>67.0</apiVersion>
    <status>Active</status>
</ApexClass>
`;

const BROKEN_SYNTAX = `public with sharing class BrokenSyntax {
    public static Integer answer() {
        Integer value = ;
        return value;
    }
}
`;

const UNKNOWN_FIELDS = `public with sharing class UnknownFields {
    public static Object read(Lead_Score_History__c history, Lead scoredLead) {
        Object fromHistory = history.Bogus_Field__c;
        return scoredLead.Lead_Score_Typo__c;
    }
}
`;

const INJECTABLE = `public without sharing class InjectableQuery {
    public static List<Lead> byName(String name) {
        return Database.query('SELECT Id FROM Lead WHERE LastName = \\'' + name + '\\'');
    }
}
`;

describe('offline checks on a broken copy of the project', () => {
  let projectDir: string;
  // One apex-ls run and one PMD run over the broken copy, started together.
  let apexLs: ReturnType<typeof runApexLs>;
  let pmd: ReturnType<typeof runPmd>;
  const injected = ['BrokenSyntax', 'UnknownFields', 'InjectableQuery'];
  const classesDir = () => path.join(projectDir, 'force-app', 'main', 'default', 'classes');

  beforeAll(() => {
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apex-broken-'));
    copyProject(projectDir);
    for (const [name, source] of [
      ['BrokenSyntax', BROKEN_SYNTAX],
      ['UnknownFields', UNKNOWN_FIELDS],
      ['InjectableQuery', INJECTABLE],
    ]) {
      fs.writeFileSync(path.join(classesDir(), `${name}.cls`), source);
      fs.writeFileSync(path.join(classesDir(), `${name}.cls-meta.xml`), META);
    }
    apexLs = runApexLs(projectDir);
    pmd = runPmd(projectDir);
  });

  afterAll(() => {
    fs.rmSync(projectDir, { recursive: true, force: true });
  });

  it('reports the syntax error, and only in the broken file', () => {
    // The project's own files are parsed by apex-offline.test.ts; here only the injected ones.
    const files = apexFiles(projectDir).filter((file) => injected.includes(path.basename(file, '.cls')));
    expect(files).toHaveLength(3);
    const problems = files.flatMap(syntaxErrors);
    expect(problems.map((p) => path.basename(p.file))).toEqual(['BrokenSyntax.cls']);
    expect(problems[0].line).toBe(3);
  });

  it('reports unknown fields: apex-ls on a custom object, the name check on Lead', async () => {
    const names = unknownCustomNames(projectDir).map((p) => `${path.basename(p.file)}:${p.line} ${p.message}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "UnknownFields.cls:3 Bogus_Field__c is not defined in the project's metadata",
        "UnknownFields.cls:4 Lead_Score_Typo__c is not defined in the project's metadata",
      ]),
    );
    const result = await apexLs;
    expect(result.exitCode).not.toBe(0);
    expect(result.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/UnknownFields\.cls: Missing: line 3 .*Unknown field 'Bogus_Field__c'/),
        expect.stringMatching(/BrokenSyntax\.cls: Syntax: line 3/),
      ]),
    );
  });

  it('reports an injectable query in a class without sharing as severity 1-2 PMD findings', async () => {
    const { violations } = await pmd;
    const serious = violations
      .filter((v) => v.severity <= 2 && v.file.endsWith('InjectableQuery.cls'))
      .map((v) => v.rule);
    expect(serious).toEqual(expect.arrayContaining(['ApexSOQLInjection']));
  });
});
