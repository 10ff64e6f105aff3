/**
 * The shipped reports and dashboard resolve (support/report-refs.ts): every field a report uses is a
 * column of its report type, the report type's columns exist, and the dashboard's components show
 * shipped reports and their columns. Each rule also refuses a copy of the project with one defect.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, copyProject } from './support/apex-checks';
import { projectComponents } from './support/project-components';
import { reportReferenceProblems } from './support/report-refs';

// The catalog of standard objects reads a jar with javap: seconds on a busy machine.
jest.setTimeout(120_000);

const DEFAULT = ['force-app', 'main', 'default'];
const render = (projectDir: string, problems: { file: string; message: string }[]) =>
  problems.map((p) => `${path.relative(projectDir, p.file)}: ${p.message}`);

describe('reports and dashboards of the package', () => {
  it('ship the three monitoring reports, their report type and the dashboard', () => {
    const components = projectComponents(REPO_ROOT);
    const names = (type: string) =>
      components
        .filter((c) => c.type === type)
        .map((c) => c.fullName)
        .sort();
    expect(names('Report')).toEqual([
      'Lead_Scoring_Monitoring/Conversion_Rate_by_Score_Decile',
      'Lead_Scoring_Monitoring/Lift_by_Version',
      'Lead_Scoring_Monitoring/Weekly_Trend',
    ]);
    expect(names('Dashboard')).toEqual(['Lead_Scoring_Monitoring/Lead_Scoring_Monitoring']);
    expect(names('ReportType')).toContain('Lead_Score_Performance');
    expect(names('ReportFolder')).toEqual(['Lead_Scoring_Monitoring']);
    expect(names('DashboardFolder')).toEqual(['Lead_Scoring_Monitoring']);
  });

  it('resolve every report type, field, folder and report they name', () => {
    expect(render(REPO_ROOT, reportReferenceProblems(REPO_ROOT))).toEqual([]);
  });

  it('group the decile report by version and show all ten deciles', () => {
    const xml = fs.readFileSync(
      path.join(
        REPO_ROOT,
        ...DEFAULT,
        'reports',
        'Lead_Scoring_Monitoring',
        'Conversion_Rate_by_Score_Decile.report-meta.xml',
      ),
      'utf8',
    );
    for (let d = 1; d <= 10; d++)
      expect(xml).toContain(`<field>Lead_Score_Performance__c$Decile_${d}_Conversion__c</field>`);
    expect(xml).toMatch(/<groupingsDown>\s*<field>Lead_Score_Performance__c\$Model_Version__c<\/field>/);
  });
});

describe('reports and dashboards on a copy with one defect', () => {
  let projectDir: string;
  const file = (...parts: string[]) => path.join(projectDir, ...DEFAULT, ...parts);
  const edit = (relative: string[], change: (xml: string) => string) => {
    const target = file(...relative);
    const before = fs.readFileSync(target, 'utf8');
    const after = change(before);
    expect(after).not.toBe(before);
    fs.writeFileSync(target, after);
  };
  const problems = () => render(projectDir, reportReferenceProblems(projectDir));

  beforeEach(() => {
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-refs-'));
    copyProject(projectDir);
  });
  afterEach(() => fs.rmSync(projectDir, { recursive: true, force: true }));

  const TREND = ['reports', 'Lead_Scoring_Monitoring', 'Weekly_Trend.report-meta.xml'];
  const DASHBOARD = ['dashboards', 'Lead_Scoring_Monitoring', 'Lead_Scoring_Monitoring.dashboard-meta.xml'];

  it.each([
    [
      'a report column the report type lacks',
      TREND,
      (xml: string) =>
        xml.replace(
          '<field>Lead_Score_Performance__c$AUC__c</field>',
          '<field>Lead_Score_Performance__c$Auc_Typo__c</field>',
        ),
      /Weekly_Trend.*: report Lead_Scoring_Monitoring\/Weekly_Trend: column Lead_Score_Performance__c\$Auc_Typo__c is not a column of report type Lead_Score_Performance__c/,
    ],
    [
      'a chart grouping the report type lacks',
      TREND,
      (xml: string) =>
        xml.replace(
          '<secondaryGroupingColumn>Lead_Score_Performance__c$Model_Version__c',
          '<secondaryGroupingColumn>Lead_Score_Performance__c$Version__c',
        ),
      /chart grouping Lead_Score_Performance__c\$Version__c is not a column/,
    ],
    [
      'an unknown report type',
      TREND,
      (xml: string) => xml.replace('<reportType>Lead_Score_Performance__c<', '<reportType>Lead_Score_Performances__c<'),
      /report type Lead_Score_Performances__c is not a custom report type of force-app; name one of .*lead_score_performance__c/,
    ],
    [
      'a report type column whose field does not exist',
      ['reportTypes', 'Lead_Score_Performance.reportType-meta.xml'],
      (xml: string) => xml.replace('<field>Leads__c</field>', '<field>Lead_Count__c</field>'),
      /report type Lead_Score_Performance: column Lead_Score_Performance__c\.Lead_Count__c: .*has no field Lead_Count__c/,
    ],
    [
      'a dashboard component showing a report that is not shipped',
      DASHBOARD,
      (xml: string) =>
        xml.replace(
          '<report>Lead_Scoring_Monitoring/Lift_by_Version<',
          '<report>Lead_Scoring_Monitoring/Lift_By_Versions<',
        ),
      /dashboard Lead_Scoring_Monitoring\/Lead_Scoring_Monitoring: "Lift by version" shows report Lead_Scoring_Monitoring\/Lift_By_Versions, which force-app does not ship/,
    ],
    [
      'a dashboard table column the report does not show',
      DASHBOARD,
      (xml: string) =>
        xml.replace(
          '<column>Lead_Score_Performance__c$Decile_9_Conversion__c</column>',
          '<column>Lead_Score_Performance__c$AUC__c</column>',
        ),
      /"Conversion by score decile" shows Lead_Score_Performance__c\$AUC__c, which report Lead_Scoring_Monitoring\/Conversion_Rate_by_Score_Decile has neither as a column nor as a grouping/,
    ],
  ])('refuses %s', (_name, relative, change, message) => {
    expect(problems()).toEqual([]);
    edit(relative, change);
    // The defect is reported (a report type column that is gone is also reported by each report using it).
    expect(problems()).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('refuses reports whose folder is not shipped', () => {
    fs.rmSync(file('reports', 'Lead_Scoring_Monitoring.reportFolder-meta.xml'));
    const found = problems();
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /report Lead_Scoring_Monitoring\/Weekly_Trend: folder Lead_Scoring_Monitoring is not a shipped report folder/,
        ),
      ]),
    );
  });
});
