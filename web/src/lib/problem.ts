/**
 * Problem documents (RFC 9457) as the API sends them, and where their messages belong on a form.
 * A control's `name` is the API field path it edits, so `errors[].path` finds its control without
 * a mapping table; a path below a control (`alertLeadDays.2`) lands on the nearest control above.
 */

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldProblem[];
}

/** A response that was not a success, with the problem document it carried (or one made up). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: Problem, retryAfterSeconds?: number) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Problem).title === 'string' &&
  typeof (value as Problem).status === 'number';

export interface FormProblems {
  /** Messages per control name, in the order the API gave them. */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** What belongs to no control: the detail, and field messages whose path names none. */
  readonly general: readonly string[];
}

/** The control a field path belongs to: itself, or the nearest enclosing path that is a control. */
export const controlForPath = (path: string, controls: ReadonlySet<string>): string | undefined => {
  const segments = path.split('.').filter(Boolean);
  for (let length = segments.length; length > 0; length--) {
    const candidate = segments.slice(0, length).join('.');
    if (controls.has(candidate)) return candidate;
  }
  return undefined;
};

export const formProblems = (problem: Problem, controlNames: Iterable<string>): FormProblems => {
  const controls = new Set(controlNames);
  const fields: Record<string, string[]> = {};
  const general: string[] = [];
  for (const error of problem.errors ?? []) {
    const control = controlForPath(error.path, controls);
    if (control) fields[control] = [...(fields[control] ?? []), error.message];
    else general.push(error.path ? `${error.path}: ${error.message}` : error.message);
  }
  if (!problem.errors?.length || general.length) {
    general.unshift(problem.detail ?? problem.title);
  }
  return { fields, general };
};

/** The id of the element that holds a control's messages, for aria-describedby. */
export const errorIdFor = (formId: string, control: string): string =>
  `${formId}-${control.replace(/[^A-Za-z0-9_-]/g, '-')}-error`;
