/**
 * SOQL in Apex checked against the objects it names: static `[SELECT ...]` queries and the
 * dynamic strings handed to Database.query & co. that can be resolved from literals. The queries
 * are found and parsed with the Apex parser (its SOQL grammar is the one static queries use), and
 * every field path, relationship and subquery is resolved through SObjectCatalog.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ApexParser,
  ApexParserFactory,
  ApexErrorListener,
  Arth2ExpressionContext,
  AssignExpressionContext,
  DotExpressionContext,
  FieldNameContext,
  IdPrimaryContext,
  LiteralPrimaryContext,
  LocalVariableDeclarationContext,
  FieldDeclarationContext,
  PrimaryExpressionContext,
  QueryContext,
  SubExpressionContext,
  SubQueryContext,
  TypeOfContext,
  SelectEntryContext,
  SubFieldEntryContext,
  FromNameListContext,
  SoqlFunctionContext,
  ClassBodyContext,
  BlockContext,
  type ExpressionContext,
  type ApexParseTree as ParseTree,
  type ApexParserRuleContext as ParserRuleContext,
} from '@apexdevtools/apex-parser';
import { apexFiles, type SourceProblem } from './apex-checks';
import { SObjectCatalog } from './sobject-catalog';

/** Database methods whose first argument is SOQL text. */
const DYNAMIC_QUERY_METHODS = new Set([
  'query',
  'querywithbinds',
  'getquerylocator',
  'getquerylocatorwithbinds',
  'countquery',
  'countquerywithbinds',
]);

/** A query found in Apex: its text as parsed, the line it starts on, and whether parts were unknown. */
export interface FoundQuery {
  file: string;
  line: number;
  soql: string;
  /** Text handed to Database.query & co. (problems are reported on the call's line). */
  dynamic: boolean;
  /** Dynamic queries whose text had non-literal parts (stood in for by `Id`). */
  partial: boolean;
  tree: QueryContext;
}

class QuietListener extends ApexErrorListener {
  errors = 0;
  apexSyntaxError(): void {
    this.errors++;
  }
}

/** Rule nodes have children; terminals (tokens) have a symbol. */
const childrenOf = (node: ParseTree): ParseTree[] =>
  'symbol' in node ? [] : (((node as ParserRuleContext).children as ParseTree[] | null) ?? []);

function descendants<T>(node: ParseTree, type: abstract new (...args: never[]) => T, out: T[] = []): T[] {
  if (node instanceof type) out.push(node as T);
  for (const child of childrenOf(node)) descendants(child, type, out);
  return out;
}

function ancestor<T>(node: ParseTree, type: abstract new (...args: never[]) => T): T | undefined {
  let current = (node as ParserRuleContext).parentCtx as ParserRuleContext | null;
  while (current) {
    if (current instanceof type) return current as T;
    current = current.parentCtx as ParserRuleContext | null;
  }
  return undefined;
}

const unescapeApex = (literal: string): string =>
  literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);

/**
 * The text an Apex string expression evaluates to, as far as literals tell: `null` parts are
 * expressions whose value is not known here (method calls, parameters).
 */
function stringPieces(
  expression: ExpressionContext | undefined,
  scope: ParserRuleContext,
  before: number,
): (string | null)[] {
  if (!expression) return [null];
  if (expression instanceof SubExpressionContext) return stringPieces(expression.expression(), scope, before);
  if (expression instanceof Arth2ExpressionContext && expression.ADD()) {
    return [
      ...stringPieces(expression.expression(0), scope, before),
      ...stringPieces(expression.expression(1), scope, before),
    ];
  }
  if (expression instanceof PrimaryExpressionContext) {
    const primary = expression.primary();
    if (primary instanceof LiteralPrimaryContext && primary.literal().StringLiteral()) {
      return [unescapeApex(primary.literal().StringLiteral().getText())];
    }
    if (primary instanceof IdPrimaryContext) return variablePieces(primary.id().getText(), scope, before);
  }
  return [null];
}

/**
 * What a variable holds at token index `before`: its declaration (or last plain assignment)
 * followed by every `+=` after it, in source order. Appends under conditions are all included,
 * so the query checked is the one with every optional clause present.
 */
function variablePieces(name: string, scope: ParseTree, before: number): (string | null)[] {
  const lower = name.toLowerCase();
  const classBody = ancestor(scope, ClassBodyContext);
  let pieces: (string | null)[] | undefined;
  let startedAt = -1;
  // The nearest enclosing block that declares the variable (a query built in a method, run in an if).
  let searchIn: ParseTree | undefined;
  for (let block = ancestor(scope, BlockContext); block && !pieces; block = ancestor(block, BlockContext)) {
    for (const declaration of descendants(block, LocalVariableDeclarationContext)) {
      for (const declarator of declaration.variableDeclarators().variableDeclarator_list()) {
        if (declarator.id().getText().toLowerCase() === lower && declarator.start.tokenIndex < before) {
          pieces = stringPieces(declarator.expression(), declarator, declarator.start.tokenIndex);
          startedAt = declarator.start.tokenIndex;
          searchIn = block;
        }
      }
    }
  }
  if (!pieces && classBody) {
    searchIn = ancestor(scope, BlockContext) ?? classBody;
    for (const field of descendants(classBody, FieldDeclarationContext)) {
      for (const declarator of field.variableDeclarators().variableDeclarator_list()) {
        if (declarator.id().getText().toLowerCase() === lower) {
          pieces = stringPieces(declarator.expression(), declarator, declarator.start.tokenIndex);
        }
      }
    }
  }
  if (!pieces || !searchIn) return [null];
  for (const assignment of descendants(searchIn, AssignExpressionContext)) {
    const at = assignment.start.tokenIndex;
    if (at <= startedAt || at >= before || assignment.expression(0).getText().toLowerCase() !== lower) continue;
    const value = stringPieces(assignment.expression(1), assignment, at);
    if (assignment.ADD_ASSIGN()) pieces = [...pieces, ...value];
    else if (assignment.ASSIGN()) pieces = value;
    else return [null];
  }
  return pieces;
}

function parseQuery(soql: string): QueryContext | undefined {
  const listener = new QuietListener();
  const { parser } = ApexParserFactory.createLexerAndParser(soql, listener);
  const tree = parser.query();
  return listener.errors === 0 ? tree : undefined;
}

/** Every static and resolvable dynamic query in one Apex file. */
export function queriesIn(file: string): { queries: FoundQuery[]; problems: SourceProblem[] } {
  const source = fs.readFileSync(file, 'utf8');
  const listener = new QuietListener();
  const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
  const unit = file.endsWith('.trigger') ? parser.triggerUnit() : parser.compilationUnit();
  const queries: FoundQuery[] = [];
  const problems: SourceProblem[] = [];
  for (const query of descendants(unit, QueryContext)) {
    queries.push({ file, line: query.start.line, soql: query.getText(), dynamic: false, partial: false, tree: query });
  }
  for (const call of descendants(unit, DotExpressionContext)) {
    const method = call.dotMethodCall();
    if (!method || call.expression().getText().toLowerCase() !== 'database') continue;
    if (!DYNAMIC_QUERY_METHODS.has(method.anyId().getText().toLowerCase())) continue;
    const argument = method.expressionList()?.expression(0);
    const pieces = stringPieces(argument, call, call.start.tokenIndex);
    if (pieces.every((p) => p === null)) continue; // nothing known about the text
    const partial = pieces.includes(null);
    const soql = pieces.map((p) => p ?? 'Id').join('');
    const tree = parseQuery(soql);
    if (tree) queries.push({ file, line: call.start.line, soql, dynamic: true, partial, tree });
    else if (!partial)
      problems.push({
        file,
        line: call.start.line,
        message: `dynamic SOQL does not parse: ${soql}; fix the query text`,
      });
  }
  return { queries, problems };
}

/** The object a FROM clause names and its alias. */
function fromOf(from: FromNameListContext): { object: string; alias?: string } {
  return { object: from.fieldName(0).getText(), alias: from.soqlId(0)?.getText() };
}

/** Field names that belong to this query level: not its FROM, not inside a nested query or TYPEOF. */
function ownFieldNames(node: ParseTree, out: FieldNameContext[] = []): FieldNameContext[] {
  if (node instanceof FromNameListContext || node instanceof TypeOfContext) return out;
  if (node instanceof FieldNameContext) {
    out.push(node);
    return out;
  }
  for (const child of childrenOf(node)) {
    if (child instanceof SubQueryContext || child instanceof QueryContext) continue;
    ownFieldNames(child, out);
  }
  return out;
}

function directSubQueries(node: ParseTree, out: SubQueryContext[] = []): SubQueryContext[] {
  for (const child of childrenOf(node)) {
    if (child instanceof SubQueryContext) out.push(child);
    else if (!(child instanceof QueryContext)) directSubQueries(child, out);
  }
  return out;
}

/** Problems of one parsed query against the catalog. */
export function checkQuery(found: FoundQuery, catalog: SObjectCatalog): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const where = (line: number, message: string): void => {
    const suffix = found.partial ? ' (dynamic SOQL, from its literal parts)' : found.dynamic ? ' (dynamic SOQL)' : '';
    problems.push({ file: found.file, line: found.dynamic ? found.line : line, message: `${message}${suffix}` });
  };
  const checkLevel = (level: QueryContext | SubQueryContext, object: string, alias: string | undefined): void => {
    const info = catalog.get(object);
    if (!info) {
      where(
        level.start.line,
        `FROM ${object}: no such object in force-app or the standard objects; fix the name or add the object under force-app/main/default/objects`,
      );
      return;
    }
    for (const field of ownFieldNames(level)) {
      let fieldPath = field.getText();
      const first = fieldPath.split('.')[0].toLowerCase();
      if (fieldPath.includes('.') && (first === alias?.toLowerCase() || first === info.name.toLowerCase())) {
        fieldPath = fieldPath.slice(first.length + 1);
      }
      // COUNT(Id) and friends take a field; FIELDS(ALL) takes none.
      if (ancestor(field, SoqlFunctionContext)?.FIELDS()) continue;
      const problem = catalog.resolveFieldPath(info.name, fieldPath);
      if (problem) {
        where(
          field.start.line,
          `SOQL on ${info.name} names ${fieldPath}: ${problem}; fix the name, or add the field under force-app/main/default/objects/${info.name}/fields`,
        );
      }
    }
    for (const sub of directSubQueries(level)) {
      const { object: subFrom } = fromOf(sub.fromNameList());
      // In the select list a subquery reads a child relationship; in WHERE (a semi-join) an object.
      const parent = sub.parentCtx;
      if (parent instanceof SelectEntryContext || parent instanceof SubFieldEntryContext) {
        const child = catalog.childObject(info.name, subFrom);
        if (!child) {
          where(
            sub.start.line,
            `subquery FROM ${subFrom}: ${info.name} has no child relationship ${subFrom}; use the relationship name (e.g. Contacts, Children__r)`,
          );
          continue;
        }
        checkLevel(sub, child, undefined);
      } else {
        checkLevel(sub, subFrom, undefined);
      }
    }
  };
  const { object, alias } = fromOf(found.tree.fromNameList());
  checkLevel(found.tree, object, alias);
  return problems;
}

/** Every SOQL problem in a project's Apex. */
export function soqlFieldProblems(projectDir: string, catalog = new SObjectCatalog(projectDir)): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const all: FoundQuery[] = [];
  for (const file of apexFiles(projectDir)) {
    const found = queriesIn(file);
    problems.push(...found.problems);
    all.push(...found.queries);
  }
  catalog.preload(all.map((q) => fromOf(q.tree.fromNameList()).object));
  for (const query of all) problems.push(...checkQuery(query, catalog));
  return problems;
}

/** The apiVersion of an Apex file's -meta.xml (NaN when it has none). */
function apiVersionOf(file: string): number {
  const meta = `${file}-meta.xml`;
  return fs.existsSync(meta)
    ? Number(/<apiVersion>([\d.]+)<\/apiVersion>/.exec(fs.readFileSync(meta, 'utf8'))?.[1])
    : NaN;
}

/**
 * `WITH SECURITY_ENFORCED` in Apex at API 67.0 or later, where it no longer compiles (Apex Developer
 * Guide, "Versioned Behavior Changes", Summer '26); static queries through the lexer's keyword token,
 * dynamic ones through string literals that carry the clause.
 */
export function securityEnforcedProblems(projectDir: string): SourceProblem[] {
  const problems: SourceProblem[] = [];
  for (const file of apexFiles(projectDir)) {
    const version = apiVersionOf(file);
    if (!(version >= 67)) continue;
    const lexer = ApexParserFactory.createLexer(fs.readFileSync(file, 'utf8'));
    for (const token of lexer.getAllTokens()) {
      const text = token.text ?? '';
      const isClause =
        token.type === ApexParser.SECURITY_ENFORCED ||
        (token.type === ApexParser.StringLiteral && /\bsecurity_enforced\b/i.test(text));
      if (isClause) {
        problems.push({
          file,
          line: token.line,
          message: `WITH SECURITY_ENFORCED does not compile at API ${version.toFixed(1)}; use WITH USER_MODE (or AccessLevel.USER_MODE for dynamic SOQL)`,
        });
      }
    }
  }
  return problems;
}

/** For messages: a path relative to the project. */
export const relativeTo = (projectDir: string, problem: SourceProblem): string =>
  `${path.relative(projectDir, problem.file)}:${problem.line} ${problem.message}`;
