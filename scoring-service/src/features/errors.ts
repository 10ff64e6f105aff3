/** One problem with one record's inputs. Never carries the input's value (lead data is personal data). */
export interface InputProblem {
  recordId: string;
  input: string;
  problem: string;
}

/** Records whose inputs do not fit the manifest; the service answers 422 with `problems`. */
export class InputValidationError extends Error {
  readonly problems: InputProblem[];
  /** True when more problems were found than `problems` holds. */
  readonly truncated: boolean;

  constructor(problems: InputProblem[], truncated = false) {
    const first = problems
      .slice(0, 3)
      .map((p) => `record ${p.recordId}: ${p.input} ${p.problem}`)
      .join('; ');
    const more = problems.length > 3 || truncated ? ` (and ${truncated ? 'more' : problems.length - 3} more)` : '';
    super(`inputs do not fit the manifest: ${first}${more}`);
    this.name = 'InputValidationError';
    this.problems = problems;
    this.truncated = truncated;
  }
}

/** A manifest whose features cannot be compiled (unknown input, kind that does not fit the input type, missing snapshot...). */
export class FeatureSchemaError extends Error {
  readonly problems: { path: string; message: string }[];

  constructor(problems: { path: string; message: string }[]) {
    super(`the feature schema cannot be compiled: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'FeatureSchemaError';
    this.problems = problems;
  }
}
