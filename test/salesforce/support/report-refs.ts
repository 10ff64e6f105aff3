/**
 * Reports and dashboards refer to things a deploy resolves only in the org: a report names its
 * report type and fields (custom report types as `Type__c`, fields as `Table$Field`), and a
 * dashboard names its reports (`Folder/Report`) and the columns it shows. A wrong name passes
 * the schema check and fails the deploy, or deploys a report that cannot run. This resolves every
 * such name against the project:
 * - a report type's columns exist on their tables (the base object, or a join path such as
 *   `Lead.Lead_Score_History__r`) in force-app or the standard objects (SObjectCatalog);
 * - a report's type is a report type of force-app, its folder is a shipped report folder, and every
 *   field it uses (columns, groupings, chart, filters, time frame) is a column of that report type;
 * - a dashboard's folder is shipped, each component's report is a shipped report, and the columns a
 *   component shows are columns or groupings of that report.
 */
import * as fs from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { SourceProblem } from './apex-checks';
import { fullNamesOf, projectComponents, type ProjectComponent } from './project-components';
import { SObjectCatalog } from './sobject-catalog';

const REPEATED = new Set([
  'sections',
  'columns',
  'groupingsDown',
  'groupingsAcross',
  'chartSummaries',
  'criteriaItems',
  'components',
  'dashboardTableColumn',
  'chartSummary',
  'groupingColumn',
]);
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => REPEATED.has(name) });

type Node = Record<string, unknown>;
const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);

/** A custom report type as reports see it: `Table$Field` names, lower-cased. */
interface ReportTypeInfo {
  columns: Set<string>;
}

/** A report as dashboards see it: the column and grouping names it shows, lower-cased. */
interface ReportInfo {
  columns: Set<string>;
}

function parse(file: string): Node {
  return parser.parse(fs.readFileSync(file, 'utf8')) as Node;
}

/** The object a report type table names: `Lead` or a join path `Lead.Lead_Score_History__r`. */
function tableObject(catalog: SObjectCatalog, table: string): string | undefined {
  const [base, ...relationships] = table.split('.');
  let current: string | undefined = catalog.get(base) ? base : undefined;
  for (const relationship of relationships) current = current && catalog.childObject(current, relationship);
  return current;
}

export function reportReferenceProblems(
  projectDir: string,
  components: ProjectComponent[] = projectComponents(projectDir),
  catalog = new SObjectCatalog(projectDir, components),
): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const problem = (file: string | undefined, message: string) =>
    problems.push({ file: file ?? projectDir, line: 0, message });
  const ofType = (type: string) => components.filter((c) => c.type === type && c.xml);

  const reportTypes = new Map<string, ReportTypeInfo>();
  for (const component of ofType('ReportType')) {
    const doc = (parse(component.xml!).ReportType ?? {}) as Node;
    const baseObject = text(doc.baseObject);
    if (!baseObject || !catalog.get(baseObject))
      problem(component.xml, `report type ${component.fullName}: base object ${baseObject ?? '(none)'} does not exist`);
    const columns = new Set<string>();
    for (const section of list(doc.sections)) {
      for (const column of list(section.columns)) {
        const table = text(column.table) ?? '';
        const field = text(column.field) ?? '';
        const object = tableObject(catalog, table);
        if (!object) {
          problem(
            component.xml,
            `report type ${component.fullName}: table ${table} is neither the base object nor a join of it`,
          );
          continue;
        }
        const missing = catalog.resolveFieldPath(object, field);
        if (missing) problem(component.xml, `report type ${component.fullName}: column ${table}.${field}: ${missing}`);
        columns.add(`${table.replace(/\./g, '$')}$${field}`.toLowerCase());
        columns.add(`${table}$${field}`.toLowerCase());
      }
    }
    reportTypes.set(component.fullName.toLowerCase(), { columns });
  }

  const reportFolders = fullNamesOf(components, 'ReportFolder');
  const reports = new Map<string, ReportInfo>();
  for (const component of ofType('Report')) {
    const doc = (parse(component.xml!).Report ?? {}) as Node;
    const where = `report ${component.fullName}`;
    const folder = component.fullName.split('/')[0];
    if (!reportFolders.has(folder.toLowerCase()))
      problem(
        component.xml,
        `${where}: folder ${folder} is not a shipped report folder (reports/${folder}.reportFolder-meta.xml)`,
      );
    const typeName = text(doc.reportType) ?? '';
    const reportType = /__c$/i.test(typeName)
      ? reportTypes.get(typeName.replace(/__c$/i, '').toLowerCase())
      : undefined;
    if (!reportType)
      problem(
        component.xml,
        `${where}: report type ${typeName || '(none)'} is not a custom report type of force-app; name one of ${[...reportTypes.keys()].map((t) => `${t}__c`).join(', ')}`,
      );
    const chart = (doc.chart ?? {}) as Node;
    const timeFrame = (doc.timeFrameFilter ?? {}) as Node;
    const filter = (doc.filter ?? {}) as Node;
    const used: [string, string | undefined][] = [
      ...list(doc.columns).map((c) => ['column', text(c.field)] as [string, string | undefined]),
      ...list(doc.groupingsDown).map((g) => ['grouping', text(g.field)] as [string, string | undefined]),
      ...list(doc.groupingsAcross).map((g) => ['grouping', text(g.field)] as [string, string | undefined]),
      ['chart grouping', text(chart.groupingColumn)],
      ['chart grouping', text(chart.secondaryGroupingColumn)],
      ...list(chart.chartSummaries).map((s) => ['chart summary', text(s.column)] as [string, string | undefined]),
      ['time frame filter', text(timeFrame.dateColumn)],
      ...list(filter.criteriaItems).map((c) => ['filter', text(c.column)] as [string, string | undefined]),
    ];
    const shown = new Set<string>();
    for (const [role, name] of used) {
      if (!name || name === 'RowCount') continue;
      if (role !== 'filter' && role !== 'time frame filter') shown.add(name.toLowerCase());
      if (reportType && !reportType.columns.has(name.toLowerCase()))
        problem(component.xml, `${where}: ${role} ${name} is not a column of report type ${typeName}`);
    }
    reports.set(component.fullName.toLowerCase(), { columns: shown });
  }

  const dashboardFolders = fullNamesOf(components, 'DashboardFolder');
  for (const component of ofType('Dashboard')) {
    const doc = (parse(component.xml!).Dashboard ?? {}) as Node;
    const where = `dashboard ${component.fullName}`;
    const folder = component.fullName.split('/')[0];
    if (!dashboardFolders.has(folder.toLowerCase()))
      problem(
        component.xml,
        `${where}: folder ${folder} is not a shipped dashboard folder (dashboards/${folder}.dashboardFolder-meta.xml)`,
      );
    const sections = ['leftSection', 'middleSection', 'rightSection'].map((s) => (doc[s] ?? {}) as Node);
    const parts = sections.flatMap((s) => list(s.components));
    if (parts.length === 0) problem(component.xml, `${where}: has no components`);
    parts.forEach((part, i) => {
      const reportName = text(part.report);
      const header = text(part.header) ?? `component ${i + 1}`;
      const report = reportName ? reports.get(reportName.toLowerCase()) : undefined;
      if (!report) {
        problem(
          component.xml,
          `${where}: "${header}" shows report ${reportName ?? '(none)'}, which force-app does not ship; use Folder/Report of one of ${[...reports.keys()].join(', ')}`,
        );
        return;
      }
      const columns = [
        ...list(part.dashboardTableColumn).map((c) => text(c.column)),
        ...list(part.chartSummary).map((c) => text(c.column)),
        ...texts(part.groupingColumn),
      ];
      for (const column of columns) {
        if (column && column !== 'RowCount' && !report.columns.has(column.toLowerCase()))
          problem(
            component.xml,
            `${where}: "${header}" shows ${column}, which report ${reportName} has neither as a column nor as a grouping`,
          );
      }
    });
  }
  return problems;
}
