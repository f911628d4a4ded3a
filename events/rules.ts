import { ALERT_DETAIL_TYPES, type DetailType, EVENT_SOURCE } from '../lib/shared/names';

/**
 * The EventBridge rules as data, shared by the CDK stack (infra) and the local bus (lib/local), so
 * both route events with the same patterns. `matchesPattern` is the local bus's stand-in for
 * EventBridge's own matching; `toCdkEventPattern` gives the stack the shape aws-events expects.
 */

// ---- Event patterns ----

export type PatternScalar = string | number | boolean | null;

/**
 * One entry of a pattern's value array. EventBridge knows more filters (wildcard, cidr, $or, …);
 * `matchesPattern` refuses those instead of guessing, so a rule never behaves differently locally.
 */
export type PatternFilter =
  | PatternScalar
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string }
  | { readonly 'anything-but': PatternScalar | readonly PatternScalar[] | { readonly prefix: string } }
  | { readonly exists: boolean }
  /** e.g. `['>', 0, '<=', 7]` */
  | { readonly numeric: readonly (string | number)[] };

/** A field maps to the values it may take, or to a pattern over its nested fields. */
export interface EventPattern {
  readonly [field: string]: readonly PatternFilter[] | EventPattern;
}

export interface EventRuleDefinition {
  /** The rule's construct id in the stack and its name on the local bus. */
  readonly id: string;
  readonly description: string;
  readonly eventPattern: EventPattern;
}

// ---- The rules ----

/** Alerts to people (DeadlineApproaching, DeadlineMissed, GrantExpiring, GrantExpired) go to the notifier. */
export const alertsToNotifier = {
  id: 'AlertsToNotifier',
  description: 'Alert events to the notifier, which e-mails their recipients',
  eventPattern: {
    source: [EVENT_SOURCE],
    'detail-type': [...ALERT_DETAIL_TYPES] as DetailType[],
  },
} as const satisfies EventRuleDefinition;

/** Every event of the funding tracker, for the audit trail (in AWS: a log group; locally: events.jsonl). */
export const auditAll = {
  id: 'AuditAll',
  description: 'Every funding-tracker event, for the audit trail',
  eventPattern: { source: [EVENT_SOURCE] },
} as const satisfies EventRuleDefinition;

export const EVENT_RULES: readonly EventRuleDefinition[] = [alertsToNotifier, auditAll];

// ---- Matching ----

/** An event as a target receives it (`source`, `detail-type`, `detail` as an object, …), e.g. a DeliveredEvent. */
export type MatchableEvent = object;

/** A PutEvents entry (`Source`, `DetailType`, `Detail` as a JSON string). */
export interface MatchableEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Resources?: readonly string[];
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isEntry = (event: MatchableEvent | MatchableEntry): event is MatchableEntry => {
  const fields = event as Readonly<Record<string, unknown>>;
  return (
    typeof fields.Source === 'string' &&
    typeof fields.DetailType === 'string' &&
    typeof fields.Detail === 'string'
  );
};

const asEvent = (event: MatchableEvent | MatchableEntry): MatchableEvent =>
  isEntry(event)
    ? {
        source: event.Source,
        'detail-type': event.DetailType,
        detail: JSON.parse(event.Detail) as unknown,
        resources: event.Resources ?? [],
      }
    : event;

const isLeaf = (value: unknown): value is PatternScalar =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const NUMERIC_OPERATORS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const matchesNumeric = (conditions: readonly (string | number)[], value: PatternScalar): boolean => {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const operator = NUMERIC_OPERATORS[String(conditions[i])];
    const bound = conditions[i + 1];
    if (!operator || typeof bound !== 'number') {
      throw new Error(`Unsupported numeric filter: ${JSON.stringify(conditions)}`);
    }
    if (!operator(value, bound)) return false;
  }
  return true;
};

const matchesAnythingBut = (excluded: unknown, value: PatternScalar): boolean => {
  if (isRecord(excluded)) {
    if (typeof excluded.prefix !== 'string')
      throw new Error(`Unsupported anything-but: ${JSON.stringify(excluded)}`);
    return typeof value === 'string' && !value.startsWith(excluded.prefix);
  }
  const values = Array.isArray(excluded) ? excluded : [excluded];
  return !values.some((v) => v === value);
};

/** One filter against one leaf value of the event (an array in the event is tried element by element). */
const matchesFilter = (filter: PatternFilter, value: PatternScalar): boolean => {
  if (!isRecord(filter)) return filter === value;
  if ('prefix' in filter) return typeof value === 'string' && value.startsWith(filter.prefix);
  if ('suffix' in filter) return typeof value === 'string' && value.endsWith(filter.suffix);
  if ('equals-ignore-case' in filter) {
    return typeof value === 'string' && value.toLowerCase() === filter['equals-ignore-case'].toLowerCase();
  }
  if ('anything-but' in filter) return matchesAnythingBut(filter['anything-but'], value);
  if ('numeric' in filter) return matchesNumeric(filter.numeric, value);
  throw new Error(`Unsupported event pattern filter: ${JSON.stringify(filter)}`);
};

const matchesField = (filters: readonly PatternFilter[], present: boolean, value: unknown): boolean => {
  // EventBridge matches `exists` on leaf fields only; an object is not a leaf.
  const leaves: PatternScalar[] = !present
    ? []
    : Array.isArray(value)
      ? value.filter(isLeaf)
      : isLeaf(value)
        ? [value]
        : [];
  return filters.some((filter) => {
    if (isRecord(filter) && 'exists' in filter) return filter.exists === leaves.length > 0;
    return leaves.some((leaf) => matchesFilter(filter, leaf));
  });
};

const matchesNode = (pattern: EventPattern, node: unknown): boolean =>
  Object.entries(pattern).every(([field, sub]) => {
    const present = isRecord(node) && Object.hasOwn(node, field);
    const value = present ? node[field] : undefined;
    if (Array.isArray(sub)) return matchesField(sub as readonly PatternFilter[], present, value);
    const nested = sub as EventPattern;
    // A nested pattern over an array of objects matches when any element does, as in EventBridge.
    if (Array.isArray(value)) return value.some((element) => matchesNode(nested, element));
    return matchesNode(nested, present ? value : undefined);
  });

/**
 * EventBridge event-pattern matching for the local bus: every field named in the pattern must match;
 * a field matches when any of its filters does (exact values, prefix, suffix, equals-ignore-case,
 * anything-but, exists, numeric), against any element when the event's value is an array. Nested
 * patterns reach into `detail`. Takes the delivered event or the PutEvents entry.
 */
export const matchesPattern = (pattern: EventPattern, event: MatchableEvent | MatchableEntry): boolean =>
  matchesNode(pattern, asEvent(event));

// ---- For the CDK stack ----

/** The shape of aws-cdk-lib's `aws_events.EventPattern` (camelCase top-level keys), without importing CDK here. */
export interface CdkEventPattern {
  readonly source?: string[];
  readonly detailType?: string[];
  readonly detail?: Record<string, unknown>;
  readonly account?: string[];
  readonly region?: string[];
  readonly resources?: string[];
  readonly id?: string[];
  readonly time?: string[];
  readonly version?: string[];
}

const CDK_KEYS: Readonly<Record<string, keyof CdkEventPattern>> = {
  source: 'source',
  'detail-type': 'detailType',
  detail: 'detail',
  account: 'account',
  region: 'region',
  resources: 'resources',
  id: 'id',
  time: 'time',
  version: 'version',
};

export const toCdkEventPattern = (pattern: EventPattern): CdkEventPattern =>
  Object.fromEntries(
    Object.entries(pattern).map(([field, value]) => {
      const key = CDK_KEYS[field];
      if (!key) throw new Error(`The event pattern field "${field}" has no CDK equivalent.`);
      return [key, structuredClone(value)];
    }),
  ) as CdkEventPattern;
