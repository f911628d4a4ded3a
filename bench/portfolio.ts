import type { Programme } from '../lib/config/catalogues';
import { FORVALTNING_CODES, PERIODIC_REPORTING_PROGRAMMES } from '../lib/config/catalogues';
import {
  type AlertThresholds,
  DEFAULT_ALERT_THRESHOLDS,
  evaluateDeadline,
  evaluateFunding,
  type LastAlert,
  nextDeadlineAlertOn,
  nextFundingAlertOn,
  thresholdsFor,
} from '../lib/domain/alerts';
import { addDays, daysBetween, type IsoDate, quarterOf } from '../lib/domain/dates';
import {
  addDeadline as addDeadlineRule,
  applyGrantPatch,
  awardedDkkMinor,
  type ChangeContext,
  type DeadlineRecord,
  type GrantRecord,
  type PaymentRecord,
  recordPayment as recordPaymentRule,
  registerGrant as registerGrantRule,
  setDeadlineStatus as setDeadlineStatusRule,
} from '../lib/domain/grant';
import { formatAmount } from '../lib/domain/money';
import {
  type DeadlineInput,
  DeadlineInputSchema,
  type DeadlineStatus,
  type GrantInput,
  GrantInputSchema,
  type GrantStatus,
  type PaymentInput,
  PaymentInputSchema,
} from '../lib/domain/schemas';
import { type TotalsDelta, totalsDelta, totalsSubjectOf } from '../lib/domain/totals';
import { seededIds } from '../lib/seed/load';
import { deadlineToItem, grantToItem, paymentToItem, totalsKey } from '../lib/storage/items';
import { LEDGER_INDEXES } from '../lib/storage/tables';
import { type Prng, prng } from './stats';

/**
 * Synthetic portfolios, built as the product would have built them: each grant is a history of
 * requests (register, status changes, payments, deadlines added and marked done) applied with the
 * domain's own rules (lib/domain/grant.ts), and its items are made by the storage mappers
 * (lib/storage/items.ts). The totals cells are the sum of the very deltas the use cases would have
 * ADDed (lib/domain/totals.ts), zero cells of grants that moved between statuses included. The
 * sweeper's state is what daily sweeps up to `asOf` would have left. Ids are derived from the grant's
 * number and the request's place in its history, so every run builds the same portfolio.
 */

export const BENCH_CALLER_EMAIL = 'lear@kk.dk';
export const THRESHOLDS: AlertThresholds = DEFAULT_ALERT_THRESHOLDS;

/** One request in a grant's history, with what it needs to be replayed through the use cases. */
export type Op = {
  /** Its number in the grant's plan: the ids it draws derive from it, whatever else is left out. */
  readonly n: number;
  readonly at: Date;
} & (
  | { readonly kind: 'register'; readonly input: GrantInput }
  | { readonly kind: 'status'; readonly to: GrantStatus }
  | { readonly kind: 'payment'; readonly input: PaymentInput }
  | { readonly kind: 'deadline'; readonly input: DeadlineInput }
  | { readonly kind: 'deadlineStatus'; readonly deadlineId: string; readonly status: DeadlineStatus }
);

type Unnumbered = { [K in Op['kind']]: Omit<Extract<Op, { kind: K }>, 'n'> }[Op['kind']];

export interface GrantHistory {
  readonly name: string;
  readonly ops: readonly Op[];
}

/** The ids one request draws: the first is its record's (grant, payment, deadline), then its events'. */
export const opIds = (name: string, op: Pick<Op, 'n' | 'at'>): (() => string) =>
  seededIds(`${name}#${op.n}`, op.at);

export interface GrantState {
  grant: GrantRecord;
  deadlines: DeadlineRecord[];
  payments: PaymentRecord[];
}

type Item = Record<string, unknown>;

const at = (date: IsoDate, hour = 9): Date => new Date(Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000);

const FORVALTNING_WEIGHTS: readonly (readonly [string, number])[] = FORVALTNING_CODES.map((code) => [
  code,
  ({ TMF: 30, OKF: 14, KFF: 12, BIF: 10, BUF: 12, SUF: 11, SOF: 11 } as Record<string, number>)[code] ?? 10,
]);

const PROGRAMME_WEIGHTS: readonly (readonly [Programme, number])[] = [
  ['H2020', 15],
  ['HORIZON_EUROPE', 15],
  ['INTERREG', 14],
  ['ERASMUS_PLUS', 10],
  ['FP7', 3],
  ['ESF', 6],
  ['LIFE', 5],
  ['CEF', 3],
  ['DIGITAL_EUROPE', 3],
  ['EIT', 3],
  ['SSC', 4],
  ['REGIONAL', 8],
  ['FOUNDATION', 9],
  ['OTHER', 2],
];

const DKK_PROGRAMMES: ReadonlySet<Programme> = new Set(['SSC', 'REGIONAL', 'FOUNDATION', 'OTHER']);
const MANUAL_KINDS: readonly DeadlineInput['kind'][] = [
  'DELIVERABLE',
  'DELIVERABLE',
  'MILESTONE',
  'MILESTONE',
  'PAYMENT_REQUEST',
  'AUDIT',
  'AMENDMENT',
  'OTHER',
];

const dateBetween = (rng: Prng, from: IsoDate, to: IsoDate): IsoDate =>
  addDays(from, rng.int(0, Math.max(0, daysBetween(from, to))));

const minorAmount = (rng: Prng, minDkk: number, maxDkk: number): number => {
  // Log-uniform: many small grants, a few large ones.
  const value = Math.exp(Math.log(minDkk) + rng.next() * (Math.log(maxDkk) - Math.log(minDkk)));
  return Math.round(value) * 100;
};

const money = (minor: number, currency: GrantInput['awarded']['currency']) => ({
  amount: formatAmount(minor),
  currency,
});

/** The history of grant number `index`: what a LEAR and finance would have done with it up to `asOf`. */
export const grantHistory = (seed: number, index: number, asOf: IsoDate): GrantHistory => {
  const rng = prng((seed * 1_000_003 + index * 7919) >>> 0);
  const forvaltning = rng.weighted(FORVALTNING_WEIGHTS);
  let programme = rng.weighted(PROGRAMME_WEIGHTS);
  let startDate = dateBetween(rng, '2014-01-01', '2027-06-30');
  if (programme === 'FP7') startDate = dateBetween(rng, '2014-01-01', '2015-12-31');
  if (programme === 'H2020' && startDate >= '2021-06-01') programme = 'HORIZON_EUROPE';
  if (programme === 'HORIZON_EUROPE' && startDate < '2021-06-01') programme = 'H2020';
  const months = rng.pick([12, 18, 24, 24, 30, 36, 36, 36, 42, 48, 48, 60]);
  let endDate = addDays(startDate, Math.round(months * 30.44) - 1);
  if (endDate > '2027-12-31') endDate = startDate < '2027-06-30' ? '2027-12-31' : addDays(startDate, 180);

  const currency: GrantInput['awarded']['currency'] = DKK_PROGRAMMES.has(programme)
    ? 'DKK'
    : programme === 'INTERREG' && rng.chance(0.2)
      ? rng.pick(['SEK', 'NOK'] as const)
      : 'EUR';
  const rate =
    currency === 'SEK'
      ? rng.pick(['0.6521', '0.6488', '0.7012'])
      : currency === 'NOK'
        ? rng.pick(['0.6433', '0.7104'])
        : currency === 'EUR' && rng.chance(0.15)
          ? rng.pick(['7.4521', '7.4603', '7.4389'])
          : undefined;
  const dkkPerUnit = currency === 'DKK' ? 1 : currency === 'EUR' ? 7.46 : 0.67;
  const awardedMinor = Math.round(minorAmount(rng, 150_000, 25_000_000) / dkkPerUnit / 100) * 100;

  const periodic = PERIODIC_REPORTING_PROGRAMMES.has(programme);
  const reportingPeriods: { endsOn: IsoDate }[] = [];
  if (periodic) {
    for (let end = addDays(startDate, 18 * 30); end < endDate; end = addDays(end, 18 * 30))
      reportingPeriods.push({ endsOn: end });
    reportingPeriods.push({ endsOn: endDate });
  }
  const acronym = `${forvaltning}-${programme.slice(0, 3)}-${String(index).padStart(5, '0')}`;
  const mailbox = `projekt-${index}`;
  const input = GrantInputSchema.parse({
    acronym,
    title: `${programme} project ${index} of ${forvaltning}: synthetic grant for the benchmark`,
    programme,
    forvaltning,
    ...(rng.chance(0.7)
      ? { unit: rng.pick(['Kontoret for Vækst', 'Byens Udvikling', 'Klima', 'Sekretariatet']) }
      : {}),
    role: rng.weighted([
      ['COORDINATOR', 2],
      ['PARTNER', 7],
      ['ASSOCIATED', 1],
    ] as const),
    status: 'APPLIED',
    ...(programme === 'H2020' && rng.chance(0.8)
      ? { grantAgreementNumber: String(rng.int(100000, 999999)) }
      : {}),
    ...(programme === 'HORIZON_EUROPE' && rng.chance(0.8)
      ? { grantAgreementNumber: `101${String(rng.int(0, 999999)).padStart(6, '0')}` }
      : {}),
    ...(currency !== 'DKK' && rng.chance(0.6) ? { pic: String(rng.int(900000000, 999999999)) } : {}),
    ...(currency !== 'DKK' && rng.chance(0.5)
      ? { callId: `${programme}-CALL-${startDate.slice(0, 4)}-${rng.int(1, 40)}` }
      : {}),
    partners: Array.from({ length: rng.int(0, 9) }, (_, p) => `Partner ${p + 1} of ${acronym}`),
    ...(rng.chance(0.3)
      ? { notes: 'Synthetic benchmark grant; figures are random but realistic in scale.' }
      : {}),
    startDate,
    endDate,
    ...(rng.chance(0.1) ? { fundingEndsOn: addDays(endDate, rng.int(30, 120)) } : {}),
    awarded: money(awardedMinor, currency),
    ...(rate ? { exchangeRateToDkk: rate } : {}),
    projectLead: { name: `Projektleder ${index}`, email: `${mailbox}@kk.dk` },
    watchers: Array.from({ length: rng.int(0, 3) }, (_, w) => `watcher-${index}-${w}@kk.dk`),
    ...(periodic ? { reportingPeriods } : {}),
    ...(rng.chance(0.1) ? { alertLeadDays: [21, 7] } : {}),
  });

  // The timeline. Requests after `asOf` have not happened yet and are left out.
  const name = historyName(seed, index);
  const ops: Op[] = [];
  const plan = (op: Unnumbered): Op => {
    const numbered = { ...op, n: ops.length } as Op;
    ops.push(numbered);
    return numbered;
  };
  // Every grant of the portfolio exists by `asOf`: applications for later years are registered already.
  const planned = addDays(startDate, -rng.int(60, 240));
  const registeredOn = addDays(asOf, Math.min(daysBetween(asOf, planned), -rng.int(0, 20)));
  const registration = plan({ kind: 'register', at: at(registeredOn), input });
  const rejected = rng.chance(0.18);
  if (rejected) {
    plan({ kind: 'status', at: at(addDays(registeredOn, rng.int(20, 55)), 10), to: 'REJECTED' });
  } else {
    const awardedOn = addDays(startDate, -rng.int(5, 50));
    const terminated = rng.chance(0.05);
    const span = daysBetween(startDate, endDate);
    const stopOn = terminated
      ? addDays(startDate, Math.round(span * (0.2 + 0.6 * rng.next())))
      : addDays(endDate, rng.int(70, 150));
    plan({ kind: 'status', at: at(awardedOn, 10), to: 'AWARDED' });
    plan({ kind: 'status', at: at(startDate, 8), to: 'ACTIVE' });

    const manual = rng.int(periodic ? 1 : 4, periodic ? 6 : 9);
    const manualDeadlines: Op[] = [];
    for (let d = 0; d < manual; d++) {
      const deadline = DeadlineInputSchema.parse({
        kind: rng.pick(MANUAL_KINDS),
        title: `Deliverable ${d + 1} of ${acronym}`,
        dueOn: dateBetween(rng, addDays(startDate, 30), addDays(endDate, 90)),
      });
      manualDeadlines.push(plan({ kind: 'deadline', at: at(awardedOn, 11 + (d % 10)), input: deadline }));
    }

    let paid = 0;
    const payment = (receivedOn: IsoDate, amount: number, kind: PaymentInput['kind']) => {
      paid += amount;
      const withDkk = currency === 'EUR' && rng.chance(0.1);
      plan({
        kind: 'payment',
        at: at(addDays(receivedOn, rng.int(0, 5)), 14),
        input: PaymentInputSchema.parse({
          receivedOn,
          amount: money(amount, currency),
          ...(withDkk ? { amountDkk: money(Math.round(amount * 7.4512), 'DKK') } : {}),
          kind,
          ...(rng.chance(0.5) ? { reference: `INV-${index}-${kind}` } : {}),
        }),
      });
    };
    const share = Math.floor((awardedMinor * 0.4) / 100) * 100;
    payment(addDays(startDate, rng.int(5, 40)), share, 'PREFINANCING');
    const midpoint = addDays(startDate, Math.round(span / 2) + rng.int(0, 30));
    if (midpoint < stopOn) payment(midpoint, share, 'INTERIM');
    if (!terminated) payment(addDays(endDate, rng.int(20, 60)), awardedMinor - paid, 'BALANCE');

    // Deadlines handled on or before their date; a few waived, a few left open (missed).
    const deadlineStatus = (deadlineId: string, dueOn: IsoDate, added: Op) => {
      const r = rng.next();
      if (r < 0.05) return;
      const status: DeadlineStatus = r < 0.08 ? 'WAIVED' : 'DONE';
      const on = status === 'DONE' ? addDays(dueOn, -rng.int(0, 10)) : addDays(dueOn, rng.int(1, 20));
      const when = at(on, 15);
      if (when <= added.at || on > stopOn) return;
      plan({ kind: 'deadlineStatus', at: when, deadlineId, status });
    };
    for (const period of reportingPeriods) {
      deadlineStatus(`report-${period.endsOn}`, addDays(period.endsOn, 60), registration);
    }
    for (const op of manualDeadlines) {
      // A manual deadline's id is the first id its request draws: known before it runs.
      if (op.kind === 'deadline') deadlineStatus(opIds(name, op)(), op.input.dueOn, op);
    }
    plan({ kind: 'status', at: at(stopOn, 16), to: terminated ? 'TERMINATED' : 'CLOSED' });
  }
  const cutoff = at(addDays(asOf, 1), 0);
  const kept = ops.filter((op) => op.at < cutoff).sort((a, b) => a.at.getTime() - b.at.getTime());
  return { name, ops: kept };
};

const historyName = (seed: number, index: number) => `bench/${seed}/${index}`;

const totalsOf = (grant: GrantRecord) => totalsSubjectOf(grant, awardedDkkMinor(grant));

const addCells = (cells: Map<string, number>, delta: TotalsDelta) => {
  for (const [key, amount] of delta) cells.set(key, (cells.get(key) ?? 0) + amount);
};

/** Applies a history with the domain rules, as the use cases and the Ledger would have stored it. */
export const applyHistory = (history: GrantHistory, cells: Map<string, number>): GrantState => {
  let state: GrantState | undefined;
  for (const op of history.ops) {
    const ctx: ChangeContext = { now: op.at, actor: BENCH_CALLER_EMAIL, newId: opIds(history.name, op) };
    if (op.kind === 'register') {
      const { grant, deadlines } = registerGrantRule(op.input, ctx);
      addCells(cells, totalsDelta(undefined, totalsOf(grant)));
      state = { grant, deadlines: [...deadlines], payments: [] };
      continue;
    }
    if (!state) throw new Error(`${history.name}: a request before the grant was registered`);
    switch (op.kind) {
      case 'status': {
        const change = applyGrantPatch(state.grant, { status: op.to }, state.deadlines, ctx);
        addCells(cells, totalsDelta(totalsOf(state.grant), totalsOf(change.grant)));
        state.grant = change.grant;
        break;
      }
      case 'payment': {
        const grant = state.grant;
        const payment = recordPaymentRule(grant, op.input, ctx);
        const quarter = quarterOf(payment.receivedOn);
        const receivedDkkByQuarter = {
          ...grant.receivedDkkByQuarter,
          [quarter]: (grant.receivedDkkByQuarter[quarter] ?? 0) + payment.amountDkkMinor,
        };
        addCells(cells, totalsDelta(totalsOf(grant), totalsOf({ ...grant, receivedDkkByQuarter })));
        // What Ledger.recordPayment's update leaves on the grant item.
        state.grant = {
          ...grant,
          version: grant.version + 1,
          updatedAt: payment.recordedAt,
          updatedBy: payment.recordedBy,
          receivedMinor:
            grant.receivedMinor +
            (payment.amount.currency === grant.awarded.currency ? payment.amount.minor : 0),
          receivedDkkMinor: grant.receivedDkkMinor + payment.amountDkkMinor,
          receivedDkkByQuarter,
        };
        state.payments.push(payment);
        break;
      }
      case 'deadline':
        state.deadlines.push(addDeadlineRule(state.grant, op.input, ctx));
        break;
      case 'deadlineStatus': {
        const i = state.deadlines.findIndex((d) => d.deadlineId === op.deadlineId);
        const current = state.deadlines[i];
        if (!current) throw new Error(`${history.name}: no deadline ${op.deadlineId}`);
        state.deadlines[i] = setDeadlineStatusRule(current, op.status, ctx);
        break;
      }
    }
  }
  if (!state) throw new Error(`${history.name}: never registered`);
  return state;
};

/** The alert state daily sweeps up to and including `asOf` would have left on one item. */
const sweptUntil = (
  lastAlert: LastAlert | undefined,
  asOf: IsoDate,
  next: (last: LastAlert | undefined) => IsoDate | null,
  evaluate: (
    last: LastAlert | undefined,
    on: IsoDate,
  ) => { lastAlert: LastAlert; nextAlertOn: IsoDate | null },
): { lastAlert: LastAlert | undefined; swept: boolean } => {
  let last = lastAlert;
  let on = next(last);
  let swept = false;
  while (on !== null && on <= asOf) {
    const evaluation = evaluate(last, on);
    last = evaluation.lastAlert;
    on = evaluation.nextAlertOn;
    swept = true;
  }
  return { lastAlert: last, swept };
};

/** Brings the sweeper's state on a grant and its deadlines to what sweeps through `asOf` would have left. */
export const sweepStateUntil = (state: GrantState, asOf: IsoDate): GrantState => {
  const grant = state.grant;
  const thresholds = thresholdsFor(grant, THRESHOLDS);
  const EPOCH = '1970-01-01';
  const funding = sweptUntil(
    grant.fundingLastAlert,
    asOf,
    (last) => nextFundingAlertOn({ grant, lastAlert: last }, EPOCH, thresholds.funding),
    (last, on) => evaluateFunding({ grant, lastAlert: last }, on, thresholds.funding),
  );
  const swept: GrantRecord = funding.swept ? { ...grant, fundingLastAlert: funding.lastAlert } : grant;
  const deadlines = state.deadlines.map((deadline) => {
    const subject = (last: LastAlert | undefined) => ({ grant, deadline, lastAlert: last });
    const result = sweptUntil(
      deadline.lastAlert,
      asOf,
      (last) => nextDeadlineAlertOn(subject(last), EPOCH, thresholds.deadline),
      (last, on) => evaluateDeadline(subject(last), on, thresholds.deadline),
    );
    return result.swept ? { ...deadline, lastAlert: result.lastAlert } : deadline;
  });
  return { grant: swept, deadlines, payments: state.payments };
};

/** An entry of the sweeper's sparse index, as the portfolio's items carry it. */
export interface AlertIndexEntry {
  readonly on: IsoDate;
  readonly kind: 'deadline' | 'funding';
  readonly grantId: string;
}

/** What building a portfolio leaves besides its items: the totals cells, counts, the sweeper's index. */
export class PortfolioBuild {
  readonly cells = new Map<string, number>();
  readonly alertIndex: AlertIndexEntry[] = [];
  readonly byStatus: Record<string, number> = {};
  grants = 0;
  deadlines = 0;
  payments = 0;
  items = 0;
  /** The grant items alone, kept when asked for: the naive design's table. */
  readonly grantItemsKept: Item[] = [];

  constructor(
    readonly seed: number,
    readonly size: number,
    /** Daily sweeps have run up to and including this date. */
    readonly asOf: IsoDate,
    private readonly keepGrantItems = false,
  ) {}

  /** The items of grant `index`, its history applied and swept up to `asOf`; its cells added. */
  grantItems(index: number): Item[] {
    const history = grantHistory(this.seed, index, this.asOf);
    const state = sweepStateUntil(applyHistory(history, this.cells), this.asOf);
    const items = itemsOf(state);
    if (this.keepGrantItems && items[0]) this.grantItemsKept.push(items[0]);
    const sk = LEDGER_INDEXES.alertsByDate.sk;
    for (const item of items) {
      const indexKey = item[sk];
      if (typeof indexKey === 'string') {
        this.alertIndex.push({
          on: indexKey.slice(0, 10),
          kind: item.type === 'GRANT' ? 'funding' : 'deadline',
          grantId: String(item.grantId),
        });
      }
    }
    this.grants++;
    this.deadlines += state.deadlines.length;
    this.payments += state.payments.length;
    this.items += items.length;
    this.byStatus[state.grant.status] = (this.byStatus[state.grant.status] ?? 0) + 1;
    return items;
  }

  /** The grants' items in chunks of `grantsPerChunk` grants, built as they are asked for. */
  *chunks(grantsPerChunk: number): Generator<Item[]> {
    for (let i = 0; i < this.size; i += grantsPerChunk) {
      const chunk: Item[] = [];
      for (let j = i; j < Math.min(this.size, i + grantsPerChunk); j++) chunk.push(...this.grantItems(j));
      yield chunk;
    }
  }

  /** What a sweep on `day` must read: the index entries due by then, and the grants of the deadlines. */
  dueBy(day: IsoDate): { deadlines: number; fundingEnds: number; grantsToRead: number } {
    const due = this.alertIndex.filter((entry) => entry.on <= day);
    const fundingGrants = new Set(due.filter((e) => e.kind === 'funding').map((e) => e.grantId));
    const deadlineGrants = new Set(due.filter((e) => e.kind === 'deadline').map((e) => e.grantId));
    return {
      deadlines: due.filter((e) => e.kind === 'deadline').length,
      fundingEnds: fundingGrants.size,
      // A funding item is its grant: the sweep reads no grant for it, nor for its deadlines.
      grantsToRead: [...deadlineGrants].filter((id) => !fundingGrants.has(id)).length,
    };
  }
}

/** The grant, deadline and payment items of one grant, by the product's own mappers. */
export const itemsOf = (state: GrantState): Item[] => [
  grantToItem(state.grant, THRESHOLDS),
  ...state.deadlines.map((d) => deadlineToItem(d, state.grant, THRESHOLDS)),
  ...state.payments.map(paymentToItem),
];

/**
 * The materialised totals items: one per view and bucket, each attribute a cell, as the Ledger's
 * `ADD #c :c` updates leave them (an attribute exists once any delta touched it, zero included).
 */
export const totalsItems = (cells: ReadonlyMap<string, number>): Item[] => {
  const items = new Map<string, Item>();
  for (const [key, value] of cells) {
    const [view, bucket, attribute] = key.split('|') as [string, string, string];
    const id = `${view}|${bucket}`;
    const item = items.get(id) ?? { ...totalsKey(view, bucket) };
    item[attribute] = value;
    items.set(id, item);
  }
  return [...items.values()];
};
