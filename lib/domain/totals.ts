import { funderTypeOf, PROGRAMME_CODES, type Programme } from '../config/catalogues';
import { quarterOf } from './dates';
import { expectedDkkByQuarter } from './expected-payments';
import { COUNTS_AS_AWARDED, type GrantRecord } from './grant';
import type { GrantStatus } from './schemas';

/**
 * Materialised totals (PRODUCT.md 2.7), pure. Every grant contributes, to a few cells, its awarded
 * amount in DKK (when its status counts as awarded, in the quarter of its startDate), its payments'
 * DKK (in the quarter each was received), its OPEN expected payments in DKK (in the quarter each is
 * expected, converted at the grant's rate) and a count of one (in its startDate's quarter). Cells are
 * kept in three views, each a handful of items, so a read never touches a grant and costs the same
 * at 200 grants as at 20,000:
 *   S  forvaltning × status                         one item
 *   Y  forvaltning × programme × status × year      one item per year and forvaltning
 *   Q  forvaltning × programme × status × quarter   one item per year and forvaltning
 * A write adds the difference between the grant's contribution after and before the change.
 */

export type TotalsView = 'S' | 'Y' | 'Q';
export const TOTALS_VIEWS: readonly TotalsView[] = ['S', 'Y', 'Q'];

/** What of a grant the totals depend on. */
export interface TotalsSubject {
  readonly status: GrantStatus;
  readonly forvaltning: string;
  readonly programme: Programme;
  readonly startDate: string;
  readonly awardedDkkMinor: number;
  /** DKK received, by the quarter ("2021-Q2") of each payment's receivedOn. */
  readonly receivedDkkByQuarter: Readonly<Record<string, number>>;
  /** DKK of OPEN expected payments, by the quarter of each one's expectedOn (none when absent). */
  readonly expectedDkkByQuarter?: Readonly<Record<string, number>> | undefined;
}

type Measure = 'a' | 'r' | 'e' | 'n';

/** Programmes by a short index, to keep cell names (DynamoDB attribute names) short. */
const PROGRAMME_INDEX = new Map(PROGRAMME_CODES.map((p, i) => [p, i.toString(36)] as const));
const STATUS_CODES: Record<GrantStatus, string> = {
  APPLIED: 'P',
  AWARDED: 'W',
  ACTIVE: 'A',
  CLOSED: 'C',
  REJECTED: 'R',
  TERMINATED: 'T',
};
const STATUS_BY_CODE = new Map(Object.entries(STATUS_CODES).map(([s, c]) => [c, s as GrantStatus] as const));

/**
 * Which item of a view a cell lives in: "ALL" for S; the year and forvaltning ("2021#TMF") for Y
 * and Q. Items stay small (a Q item holds at most 4 × 14 × 6 cells), and DynamoDB charges an
 * update by the size of the item, so a write costs the same at 200 grants as at 20,000.
 */
export const bucketOf = (view: TotalsView, quarter: string, forvaltning: string): string =>
  view === 'S' ? 'ALL' : `${quarter.slice(0, 4)}#${forvaltning}`;

/** A cell's attribute name, e.g. "a.TMF.3.A.2021-Q1" → "aTMF3A1" (Q), "aTMF3A" (Y), "aTMFA" (S). */
export const cellName = (
  view: TotalsView,
  measure: Measure,
  cell: { forvaltning: string; programme: Programme; status: GrantStatus; quarter: string },
): string => {
  const status = STATUS_CODES[cell.status];
  if (view === 'S') return `${measure}${cell.forvaltning}_${status}`;
  const programme = PROGRAMME_INDEX.get(cell.programme) as string;
  if (view === 'Y') return `${measure}${cell.forvaltning}_${programme}${status}`;
  return `${measure}${cell.forvaltning}_${programme}${status}${cell.quarter.slice(-1)}`;
};

/** A change to the totals: cell key "view|bucket|attribute" → amount to add. */
export type TotalsDelta = Map<string, number>;

const addTo = (delta: TotalsDelta, key: string, amount: number) => {
  if (amount === 0) return;
  const next = (delta.get(key) ?? 0) + amount;
  if (next === 0) delta.delete(key);
  else delta.set(key, next);
};

const contribute = (delta: TotalsDelta, subject: TotalsSubject, sign: 1 | -1) => {
  const base = { forvaltning: subject.forvaltning, programme: subject.programme, status: subject.status };
  const startQuarter = quarterOf(subject.startDate);
  const awarded = COUNTS_AS_AWARDED.has(subject.status) ? subject.awardedDkkMinor : 0;
  for (const view of TOTALS_VIEWS) {
    const at = (quarter: string, measure: Measure) =>
      `${view}|${bucketOf(view, quarter, base.forvaltning)}|${cellName(view, measure, { ...base, quarter })}`;
    addTo(delta, at(startQuarter, 'n'), sign);
    addTo(delta, at(startQuarter, 'a'), sign * awarded);
    for (const [quarter, received] of Object.entries(subject.receivedDkkByQuarter)) {
      addTo(delta, at(quarter, 'r'), sign * received);
    }
    for (const [quarter, expected] of Object.entries(subject.expectedDkkByQuarter ?? {})) {
      addTo(delta, at(quarter, 'e'), sign * expected);
    }
  }
};

/** What the totals must add when a grant goes from `before` to `after` (either may be absent). */
export const totalsDelta = (
  before: TotalsSubject | undefined,
  after: TotalsSubject | undefined,
): TotalsDelta => {
  const delta: TotalsDelta = new Map();
  if (before) contribute(delta, before, -1);
  if (after) contribute(delta, after, 1);
  return delta;
};

export const totalsSubjectOf = (
  grant: Pick<
    GrantRecord,
    'status' | 'forvaltning' | 'programme' | 'startDate' | 'receivedDkkByQuarter' | 'exchangeRateToDkk'
  > &
    Partial<Pick<GrantRecord, 'expectedByQuarter'>>,
  awardedDkkMinor: number,
): TotalsSubject => ({
  status: grant.status,
  forvaltning: grant.forvaltning,
  programme: grant.programme,
  startDate: grant.startDate,
  awardedDkkMinor,
  receivedDkkByQuarter: grant.receivedDkkByQuarter ?? {},
  expectedDkkByQuarter: expectedDkkByQuarter(grant),
});

// ---- Reading ----

export type TotalsDimension = 'forvaltning' | 'programme' | 'funderType' | 'year' | 'quarter';

export interface TotalsFilter {
  readonly forvaltning?: string | undefined;
  readonly programme?: string | undefined;
  readonly funderType?: string | undefined;
  readonly status?: GrantStatus | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/** The smallest view that has every dimension the request groups or filters by. */
export const viewFor = (groupBy: readonly TotalsDimension[], filter: TotalsFilter): TotalsView => {
  if (groupBy.includes('quarter')) return 'Q';
  const needsYearOrProgramme =
    groupBy.some((d) => d !== 'forvaltning') ||
    filter.programme !== undefined ||
    filter.funderType !== undefined ||
    filter.from !== undefined ||
    filter.to !== undefined;
  return needsYearOrProgramme ? 'Y' : 'S';
};

export interface TotalsCell {
  readonly forvaltning: string;
  readonly status: GrantStatus;
  readonly programme?: Programme;
  readonly year?: number;
  readonly quarter?: string;
  awarded: number;
  received: number;
  expected: number;
  grantCount: number;
}

const PROGRAMME_BY_INDEX = new Map([...PROGRAMME_INDEX].map(([p, i]) => [i, p] as const));

/** The cells of one view item, from its attributes. */
export const parseCells = (
  view: TotalsView,
  bucket: string,
  attributes: Record<string, unknown>,
): TotalsCell[] => {
  const cells = new Map<string, TotalsCell>();
  for (const [name, value] of Object.entries(attributes)) {
    const match = /^([arne])([A-Z]+)_(.+)$/.exec(name);
    if (!match) continue;
    // Inputs are bounded so that sums stay exact JavaScript integers; a cell past that is an error,
    // never a silently wrong (or skipped) number.
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new Error(`Totals cell ${name} holds ${String(value)}, beyond exact integer arithmetic`);
    }
    const [, measure, forvaltning, rest] = match as unknown as [string, Measure, string, string];
    let cell: Omit<TotalsCell, 'awarded' | 'received' | 'expected' | 'grantCount'>;
    if (view === 'S') {
      cell = { forvaltning, status: STATUS_BY_CODE.get(rest) as GrantStatus };
    } else {
      const programme = PROGRAMME_BY_INDEX.get(rest.slice(0, 1)) as Programme;
      const status = STATUS_BY_CODE.get(rest.slice(1, 2)) as GrantStatus;
      const year = Number(bucket.slice(0, 4));
      cell =
        view === 'Y'
          ? { forvaltning, programme, status, year }
          : { forvaltning, programme, status, year, quarter: `${year}-Q${rest.slice(2, 3)}` };
    }
    const key = `${name.slice(1)}`;
    const existing = cells.get(key) ?? { ...cell, awarded: 0, received: 0, expected: 0, grantCount: 0 };
    if (measure === 'a') existing.awarded += value;
    else if (measure === 'r') existing.received += value;
    else if (measure === 'e') existing.expected += value;
    else existing.grantCount += value;
    cells.set(key, existing);
  }
  return [...cells.values()];
};

export interface TotalsGroup {
  readonly key: Readonly<Record<string, string | number>>;
  readonly awarded: number;
  readonly received: number;
  readonly outstanding: number;
  readonly expected: number;
  readonly grantCount: number;
}

const keyValue = (cell: TotalsCell, dimension: TotalsDimension): string | number => {
  switch (dimension) {
    case 'forvaltning':
      return cell.forvaltning;
    case 'programme':
      return cell.programme as string;
    case 'funderType':
      return funderTypeOf(cell.programme as Programme);
    case 'year':
      return cell.year as number;
    case 'quarter':
      return cell.quarter as string;
  }
};

const matches = (cell: TotalsCell, filter: TotalsFilter): boolean =>
  (filter.forvaltning === undefined || cell.forvaltning === filter.forvaltning) &&
  (filter.programme === undefined || cell.programme === filter.programme) &&
  (filter.funderType === undefined ||
    (cell.programme !== undefined && funderTypeOf(cell.programme) === filter.funderType)) &&
  (filter.status === undefined || cell.status === filter.status) &&
  (filter.from === undefined || (cell.year ?? 0) >= filter.from) &&
  (filter.to === undefined || (cell.year ?? 0) <= filter.to);

/**
 * Groups the cells. Outstanding is awarded − received of the grants whose awarded counts
 * (AWARDED, ACTIVE, CLOSED): money received on a terminated grant is received, not "ahead of plan".
 */
export const groupTotals = (
  cells: readonly TotalsCell[],
  groupBy: readonly TotalsDimension[],
  filter: TotalsFilter,
): { groups: TotalsGroup[]; total: Omit<TotalsGroup, 'key'> } => {
  const groups = new Map<string, { key: Record<string, string | number> } & Omit<TotalsGroup, 'key'>>();
  const total = { awarded: 0, received: 0, outstanding: 0, expected: 0, grantCount: 0 };
  for (const cell of cells) {
    if (!matches(cell, filter)) continue;
    const key = Object.fromEntries(groupBy.map((d) => [d, keyValue(cell, d)]));
    const id = JSON.stringify(groupBy.map((d) => key[d]));
    const group = groups.get(id) ?? {
      key,
      awarded: 0,
      received: 0,
      outstanding: 0,
      expected: 0,
      grantCount: 0,
    };
    const outstanding = COUNTS_AS_AWARDED.has(cell.status) ? cell.awarded - cell.received : 0;
    groups.set(id, {
      key,
      awarded: group.awarded + cell.awarded,
      received: group.received + cell.received,
      outstanding: group.outstanding + outstanding,
      expected: group.expected + cell.expected,
      grantCount: group.grantCount + cell.grantCount,
    });
    total.awarded += cell.awarded;
    total.received += cell.received;
    total.outstanding += outstanding;
    total.expected += cell.expected;
    total.grantCount += cell.grantCount;
  }
  const sorted = [...groups.values()]
    .filter((g) => g.awarded !== 0 || g.received !== 0 || g.expected !== 0 || g.grantCount !== 0)
    .sort((a, b) => {
      for (const d of groupBy) {
        const x = a.key[d] as string | number;
        const y = b.key[d] as string | number;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    });
  return { groups: sorted, total };
};
