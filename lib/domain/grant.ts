import {
  DEFAULT_EUR_RATE,
  funderTypeOf,
  PERIODIC_REPORTING_PROGRAMMES,
  type Programme,
  REPORT_DUE_DAYS_AFTER_PERIOD,
} from '../config/catalogues';
import type { LastAlert } from './alerts';
import { GRANT_TRANSITIONS, PAYMENT_STATUSES } from './codes';
import { addDays, copenhagenDateOf, type IsoDate } from './dates';
import { BusinessRuleError, ConflictError, ValidationError } from './errors';
import {
  type ExpectedPaymentRecord,
  type ExpectedSums,
  expectedDkkMinor,
  expectedSumsOf,
  toExpectedPaymentDto,
} from './expected-payments';
import { convertMinor, dkk, fromDto, type Money, normaliseRate, toDto } from './money';
import {
  type DeadlineDto,
  type DeadlineInput,
  type DeadlineStatus,
  type GrantDto,
  type GrantFields,
  type GrantInput,
  type GrantPatch,
  type GrantRef,
  type GrantStatus,
  grantRuleIssues,
  type PaymentDto,
  type PaymentInput,
} from './schemas';

/** Who changes what, when, and where new ids come from: the use cases' injected context. */
export interface ChangeContext {
  readonly now: Date;
  readonly actor: string;
  readonly newId: () => string;
}

/** A grant as stored: money in minor units, the DKK rate resolved at registration. */
export interface GrantRecord {
  readonly grantId: string;
  readonly version: number;
  readonly acronym: string;
  readonly title: string;
  readonly programme: Programme;
  readonly forvaltning: string;
  readonly unit?: string | undefined;
  readonly role: GrantInput['role'];
  readonly status: GrantStatus;
  readonly grantAgreementNumber?: string | undefined;
  readonly pic?: string | undefined;
  readonly callId?: string | undefined;
  readonly partners: readonly string[];
  readonly notes?: string | undefined;
  readonly startDate: IsoDate;
  readonly endDate: IsoDate;
  /** Set only when it differs from endDate by intent; see fundingEndsOnOf. */
  readonly fundingEndsOn?: IsoDate | undefined;
  readonly awarded: Money;
  readonly exchangeRateToDkk: string;
  /** Sum of payments made in the grant's own currency, for the "more than awarded" rule. */
  readonly receivedMinor: number;
  readonly receivedDkkMinor: number;
  /** DKK received by quarter of receivedOn ("2021-Q2"): what the totals need when a grant moves between cells. */
  readonly receivedDkkByQuarter: Readonly<Record<string, number>>;
  /** OPEN expected payments in the grant's own currency (absent on grants stored before there were any). */
  readonly expectedMinor?: ExpectedSums['expectedMinor'] | undefined;
  readonly expectedByQuarter?: ExpectedSums['expectedByQuarter'] | undefined;
  readonly projectLead: { readonly name: string; readonly email: string };
  readonly watchers: readonly string[];
  readonly reportingPeriods: readonly { readonly endsOn: IsoDate }[];
  readonly alertLeadDays?: readonly number[] | undefined;
  /** What the sweeper has sent for the funding end; only the sweeper writes it. */
  readonly fundingLastAlert?: LastAlert | undefined;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface PaymentRecord {
  readonly grantId: string;
  readonly paymentId: string;
  readonly receivedOn: IsoDate;
  readonly amount: Money;
  readonly amountDkkMinor: number;
  readonly kind: PaymentInput['kind'];
  readonly reference?: string | undefined;
  readonly note?: string | undefined;
  /** The expected payment it settled. */
  readonly settles?: string | undefined;
  readonly recordedAt: string;
  readonly recordedBy: string;
}

export interface DeadlineRecord {
  readonly grantId: string;
  readonly deadlineId: string;
  readonly kind: DeadlineInput['kind'];
  readonly title: string;
  readonly dueOn: IsoDate;
  readonly status: DeadlineStatus;
  readonly doneOn?: IsoDate | undefined;
  readonly doneBy?: string | undefined;
  /** Deadlines derived from reporting periods follow the periods when they change; manual ones stay. */
  readonly origin: 'REPORTING_PERIOD' | 'MANUAL';
  /** What the sweeper has sent for this deadline; only the sweeper writes it. */
  readonly lastAlert?: LastAlert | undefined;
  /**
   * How many status changes the deadline has had (absent: none). Each change is written on
   * condition that it is still the one read, so a change the API gave up on (a 503 while the store
   * was slow) cannot land after a later one the caller was told succeeded.
   */
  readonly revision?: number | undefined;
}

// ---- Status ----

export const canTransition = (from: GrantStatus, to: GrantStatus): boolean =>
  GRANT_TRANSITIONS[from].includes(to);

export const assertTransition = (from: GrantStatus, to: GrantStatus): void => {
  if (!canTransition(from, to)) {
    const allowed = GRANT_TRANSITIONS[from];
    throw new ConflictError(
      `A grant cannot go from ${from} to ${to}; from ${from} it can go to ${allowed.length ? allowed.join(' or ') : 'no other status'}.`,
    );
  }
};

/** Statuses whose awarded amount counts as brought home or on its way (PRODUCT.md 2.7). */
export const COUNTS_AS_AWARDED: ReadonlySet<GrantStatus> = new Set(['AWARDED', 'ACTIVE', 'CLOSED']);
/** Statuses after which nothing is due any more. */
export const FINISHED: ReadonlySet<GrantStatus> = new Set(['CLOSED', 'REJECTED', 'TERMINATED']);
/** Statuses that take payments. */
export const TAKES_PAYMENTS: ReadonlySet<GrantStatus> = new Set(PAYMENT_STATUSES);

// ---- Derived values ----

export const fundingEndsOnOf = (grant: Pick<GrantRecord, 'fundingEndsOn' | 'endDate'>): IsoDate =>
  grant.fundingEndsOn ?? grant.endDate;

export const awardedDkkMinor = (grant: Pick<GrantRecord, 'awarded' | 'exchangeRateToDkk'>): number =>
  convertMinor(grant.awarded.minor, grant.exchangeRateToDkk);

export const grantRef = (grant: GrantRecord): GrantRef => ({
  grantId: grant.grantId,
  acronym: grant.acronym,
  forvaltning: grant.forvaltning as GrantRef['forvaltning'],
  programme: grant.programme,
});

/** Alerts go to the project lead and every watcher, each address once. */
export const recipientsOf = (grant: Pick<GrantRecord, 'projectLead' | 'watchers'>): string[] => [
  ...new Set([grant.projectLead.email, ...grant.watchers]),
];

/** The DKK rate a grant in this currency carries: 1 for DKK, the given rate, or EUR's default. */
export const resolveRate = (awarded: Pick<Money, 'currency'>, rate: string | undefined): string => {
  if (awarded.currency === 'DKK') return '1';
  if (rate) return normaliseRate(rate);
  if (awarded.currency === 'EUR') return DEFAULT_EUR_RATE;
  // The schema refuses this before it gets here; kept as a guard for callers that skip it.
  throw new ValidationError('The request is invalid.', [
    { path: 'exchangeRateToDkk', message: `is required for grants awarded in ${awarded.currency}` },
  ]);
};

// ---- Reporting periods → report deadlines ----

interface PlannedReport {
  readonly deadlineId: string;
  readonly kind: 'PERIODIC_REPORT' | 'FINAL_REPORT';
  readonly title: string;
  readonly dueOn: IsoDate;
}

/** The id of a report deadline is derived from its period, so replanning finds the same deadline again. */
export const reportDeadlineId = (periodEndsOn: IsoDate): string => `report-${periodEndsOn}`;

/**
 * H2020 and Horizon Europe grants report 60 days after each reporting period ends; the last
 * period's report is the final report. Other programmes get no generated report deadlines.
 */
export const plannedReports = (
  grant: Pick<GrantRecord, 'programme' | 'reportingPeriods'>,
): readonly PlannedReport[] => {
  if (!PERIODIC_REPORTING_PROGRAMMES.has(grant.programme)) return [];
  const periods = [...new Set(grant.reportingPeriods.map((p) => p.endsOn))].sort();
  return periods.map((endsOn, index) => {
    const last = index === periods.length - 1;
    return {
      deadlineId: reportDeadlineId(endsOn),
      kind: last ? 'FINAL_REPORT' : 'PERIODIC_REPORT',
      title: last ? 'Final report' : `Periodic report ${index + 1}`,
      dueOn: addDays(endsOn, REPORT_DUE_DAYS_AFTER_PERIOD),
    };
  });
};

export interface DeadlinePlan {
  readonly add: readonly DeadlineRecord[];
  readonly update: readonly DeadlineRecord[];
  readonly remove: readonly DeadlineRecord[];
}

/**
 * Reconciles the report deadlines a grant has with those its periods call for. Reports already
 * DONE or WAIVED are history and stay as they are; manual deadlines are never touched.
 */
export const planReportDeadlines = (
  grant: Pick<GrantRecord, 'grantId' | 'programme' | 'reportingPeriods'>,
  existing: readonly DeadlineRecord[],
): DeadlinePlan => {
  const wanted = plannedReports(grant);
  const generated = new Map(
    existing.filter((d) => d.origin === 'REPORTING_PERIOD').map((d) => [d.deadlineId, d] as const),
  );
  const add: DeadlineRecord[] = [];
  const update: DeadlineRecord[] = [];
  for (const report of wanted) {
    const current = generated.get(report.deadlineId);
    generated.delete(report.deadlineId);
    if (!current) {
      add.push({ grantId: grant.grantId, status: 'OPEN', origin: 'REPORTING_PERIOD', ...report });
    } else if (
      current.status === 'OPEN' &&
      (current.kind !== report.kind || current.title !== report.title || current.dueOn !== report.dueOn)
    ) {
      update.push({ ...current, kind: report.kind, title: report.title, dueOn: report.dueOn });
    }
  }
  const remove = [...generated.values()].filter((d) => d.status === 'OPEN');
  return { add, update, remove };
};

// ---- Use-case rules ----

const stripUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

export const registerGrant = (
  input: GrantInput,
  ctx: ChangeContext,
): { grant: GrantRecord; deadlines: DeadlineRecord[] } => {
  const at = ctx.now.toISOString();
  const awarded = fromDto(input.awarded);
  const grant: GrantRecord = stripUndefined({
    grantId: ctx.newId(),
    version: 1,
    acronym: input.acronym,
    title: input.title,
    programme: input.programme,
    forvaltning: input.forvaltning,
    unit: input.unit,
    role: input.role,
    status: input.status,
    grantAgreementNumber: input.grantAgreementNumber,
    pic: input.pic,
    callId: input.callId,
    partners: input.partners ?? [],
    notes: input.notes,
    startDate: input.startDate,
    endDate: input.endDate,
    fundingEndsOn: input.fundingEndsOn,
    awarded,
    exchangeRateToDkk: resolveRate(awarded, input.exchangeRateToDkk),
    receivedMinor: 0,
    receivedDkkMinor: 0,
    receivedDkkByQuarter: {},
    expectedMinor: 0,
    expectedByQuarter: {},
    projectLead: input.projectLead,
    watchers: [...new Set(input.watchers ?? [])],
    reportingPeriods: input.reportingPeriods ?? [],
    alertLeadDays: input.alertLeadDays ? [...new Set(input.alertLeadDays)].sort((a, b) => b - a) : undefined,
    createdAt: at,
    createdBy: ctx.actor,
    updatedAt: at,
    updatedBy: ctx.actor,
  });
  // A grant registered after it ended (importing history) has its reports behind it, not ahead.
  const deadlines = FINISHED.has(grant.status) ? [] : [...planReportDeadlines(grant, []).add];
  return { grant, deadlines };
};

export interface GrantChange {
  readonly grant: GrantRecord;
  /** Field names whose value changed, as the API names them. */
  readonly changed: readonly string[];
  readonly statusChange?: { readonly from: GrantStatus; readonly to: GrantStatus } | undefined;
  readonly deadlinePlan: DeadlinePlan;
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The patch's view of a stored grant, in wire terms, so that cross-field rules apply as to new input. */
const asFields = (grant: GrantRecord): Partial<GrantFields> => ({
  ...grant,
  unit: grant.unit,
  awarded: toDto(grant.awarded),
  exchangeRateToDkk: grant.awarded.currency === 'DKK' ? undefined : grant.exchangeRateToDkk,
  partners: [...grant.partners],
  watchers: [...grant.watchers],
  reportingPeriods: [...grant.reportingPeriods],
  alertLeadDays: grant.alertLeadDays ? [...grant.alertLeadDays] : undefined,
});

export const applyGrantPatch = (
  current: GrantRecord,
  patch: GrantPatch,
  existingDeadlines: readonly DeadlineRecord[],
  ctx: ChangeContext,
): GrantChange => {
  const changed: string[] = [];
  const before = asFields(current);
  const after: Record<string, unknown> = { ...before };
  const requested: Record<string, unknown> = { ...patch };
  // A rate is compared by value: "7.4700" is the stored "7.47", not a change.
  if (typeof patch.exchangeRateToDkk === 'string')
    requested.exchangeRateToDkk = normaliseRate(patch.exchangeRateToDkk);
  // A new currency needs its own rate: the old one is dropped unless the patch gives one (EUR then
  // takes the default rate; other currencies must name theirs).
  if (
    patch.awarded &&
    patch.awarded.currency !== current.awarded.currency &&
    patch.exchangeRateToDkk === undefined
  ) {
    requested.exchangeRateToDkk = null;
  }
  for (const [field, value] of Object.entries(requested)) {
    const next = value === null ? undefined : value;
    if (!sameValue(before[field as keyof GrantFields], next)) {
      changed.push(field);
      after[field] = next;
    }
  }
  const merged = after as Partial<GrantFields>;

  const issues = grantRuleIssues(merged);
  if (issues.length) {
    throw new ValidationError(
      'The change would leave the grant invalid.',
      issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }

  let statusChange: GrantChange['statusChange'];
  if (patch.status && patch.status !== current.status) {
    assertTransition(current.status, patch.status);
    statusChange = { from: current.status, to: patch.status };
  }

  const awarded = merged.awarded ? fromDto(merged.awarded) : current.awarded;
  if (awarded.currency !== current.awarded.currency && current.receivedMinor + current.receivedDkkMinor > 0) {
    throw new BusinessRuleError('The awarded currency cannot change once payments are recorded.', [
      { path: 'awarded.currency', message: `payments are recorded against ${current.awarded.currency}` },
    ]);
  }
  const { expectedMinor } = expectedSumsOf(current);
  if (awarded.currency !== current.awarded.currency && expectedMinor > 0) {
    throw new BusinessRuleError(
      'The awarded currency cannot change while expected payments in it are open; cancel them first.',
      [{ path: 'awarded.currency', message: `open expected payments are in ${current.awarded.currency}` }],
    );
  }
  if (awarded.currency === current.awarded.currency && awarded.minor < current.receivedMinor) {
    throw new BusinessRuleError(
      `The awarded amount cannot be less than the ${toDto({ minor: current.receivedMinor, currency: awarded.currency }).amount} ${awarded.currency} already received.`,
      [{ path: 'awarded.amount', message: 'is less than the payments already received' }],
    );
  }
  if (
    awarded.currency === current.awarded.currency &&
    awarded.minor < current.awarded.minor &&
    awarded.minor < current.receivedMinor + expectedMinor
  ) {
    throw new BusinessRuleError(
      `The awarded amount cannot be less than the ${toDto({ minor: current.receivedMinor + expectedMinor, currency: awarded.currency }).amount} ${awarded.currency} received and expected; lower or cancel expected payments first.`,
      [{ path: 'awarded.amount', message: 'is less than what is received and expected' }],
    );
  }

  const rateChanged = changed.includes('exchangeRateToDkk') || changed.includes('awarded');
  const grant: GrantRecord = stripUndefined({
    ...current,
    ...(merged as object),
    awarded,
    exchangeRateToDkk: rateChanged
      ? resolveRate(awarded, merged.exchangeRateToDkk)
      : current.exchangeRateToDkk,
    partners: merged.partners ?? [],
    watchers: [...new Set(merged.watchers ?? [])],
    reportingPeriods: merged.reportingPeriods ?? [],
    alertLeadDays: merged.alertLeadDays
      ? [...new Set(merged.alertLeadDays)].sort((a, b) => b - a)
      : undefined,
    receivedMinor: current.receivedMinor,
    receivedDkkMinor: current.receivedDkkMinor,
    receivedDkkByQuarter: current.receivedDkkByQuarter,
    grantId: current.grantId,
    version: current.version + 1,
    createdAt: current.createdAt,
    createdBy: current.createdBy,
    updatedAt: ctx.now.toISOString(),
    updatedBy: ctx.actor,
  }) as GrantRecord;

  const deadlinePlan =
    changed.includes('reportingPeriods') || changed.includes('programme')
      ? planReportDeadlines(grant, existingDeadlines)
      : { add: [], update: [], remove: [] };
  return { grant, changed, statusChange, deadlinePlan };
};

/**
 * Checks a payment against the grant it is for and books it in DKK. The repository enforces the
 * same status and ceiling rules again in its conditional write, so concurrent payments stay exact.
 */
export const recordPayment = (grant: GrantRecord, input: PaymentInput, ctx: ChangeContext): PaymentRecord => {
  if (!TAKES_PAYMENTS.has(grant.status)) {
    throw new ConflictError(`A payment cannot be recorded on a grant that is ${grant.status}.`);
  }
  const amount = fromDto(input.amount);
  let amountDkkMinor: number;
  if (input.amountDkk) amountDkkMinor = fromDto(input.amountDkk).minor;
  else if (amount.currency === 'DKK') amountDkkMinor = amount.minor;
  else if (amount.currency === grant.awarded.currency)
    amountDkkMinor = convertMinor(amount.minor, grant.exchangeRateToDkk);
  else {
    throw new ValidationError('The request is invalid.', [
      {
        path: 'amountDkk',
        message: `is required for a payment in ${amount.currency}, which is neither DKK nor the grant's currency (${grant.awarded.currency})`,
      },
    ]);
  }
  if (
    amount.currency === grant.awarded.currency &&
    grant.receivedMinor + amount.minor > grant.awarded.minor
  ) {
    throw paymentExceedsAwarded(grant, amount.minor);
  }
  return stripUndefined({
    grantId: grant.grantId,
    paymentId: ctx.newId(),
    receivedOn: input.receivedOn,
    amount,
    amountDkkMinor,
    kind: input.kind,
    reference: input.reference,
    note: input.note,
    settles: input.settles,
    recordedAt: ctx.now.toISOString(),
    recordedBy: ctx.actor,
  });
};

export const paymentExceedsAwarded = (grant: GrantRecord, paymentMinor: number): BusinessRuleError => {
  const currency = grant.awarded.currency;
  const left = Math.max(0, grant.awarded.minor - grant.receivedMinor);
  return new BusinessRuleError(
    `This payment of ${toDto({ minor: paymentMinor, currency }).amount} ${currency} would bring the total received above the ${toDto(grant.awarded).amount} ${currency} awarded; at most ${toDto({ minor: left, currency }).amount} ${currency} can still be received.`,
    [{ path: 'amount.amount', message: 'exceeds what is left of the awarded amount' }],
  );
};

export const addDeadline = (grant: GrantRecord, input: DeadlineInput, ctx: ChangeContext): DeadlineRecord => {
  if (grant.status === 'REJECTED') {
    throw new ConflictError('A rejected grant takes no deadlines.');
  }
  return {
    grantId: grant.grantId,
    deadlineId: ctx.newId(),
    kind: input.kind,
    title: input.title,
    dueOn: input.dueOn,
    status: 'OPEN',
    origin: 'MANUAL',
  };
};

export const setDeadlineStatus = (
  deadline: DeadlineRecord,
  status: DeadlineStatus,
  ctx: ChangeContext,
): DeadlineRecord => {
  if (status === deadline.status) return deadline;
  const { doneOn: _doneOn, doneBy: _doneBy, ...rest } = deadline;
  if (status === 'OPEN') return { ...rest, status };
  return { ...rest, status, doneOn: copenhagenDateOf(ctx.now), doneBy: ctx.actor };
};

// ---- Representations ----

export const toPaymentDto = (payment: PaymentRecord): PaymentDto =>
  stripUndefined({
    paymentId: payment.paymentId,
    receivedOn: payment.receivedOn,
    amount: toDto(payment.amount),
    amountDkk: dkk(payment.amountDkkMinor),
    kind: payment.kind,
    reference: payment.reference,
    note: payment.note,
    settles: payment.settles,
    recordedAt: payment.recordedAt,
    recordedBy: payment.recordedBy,
  });

export const toDeadlineDto = (deadline: DeadlineRecord): DeadlineDto =>
  stripUndefined({
    deadlineId: deadline.deadlineId,
    kind: deadline.kind,
    title: deadline.title,
    dueOn: deadline.dueOn,
    status: deadline.status,
    doneOn: deadline.doneOn,
    doneBy: deadline.doneBy,
  });

export const toGrantDto = (
  grant: GrantRecord,
  children?: {
    payments: readonly PaymentRecord[];
    deadlines: readonly DeadlineRecord[];
    expectedPayments?: readonly ExpectedPaymentRecord[];
  },
): GrantDto => {
  const awardedDkk = awardedDkkMinor(grant);
  return stripUndefined({
    grantId: grant.grantId,
    version: grant.version,
    acronym: grant.acronym,
    title: grant.title,
    programme: grant.programme,
    funderType: funderTypeOf(grant.programme),
    forvaltning: grant.forvaltning as GrantDto['forvaltning'],
    unit: grant.unit,
    role: grant.role,
    status: grant.status,
    grantAgreementNumber: grant.grantAgreementNumber,
    pic: grant.pic,
    callId: grant.callId,
    partners: [...grant.partners],
    notes: grant.notes,
    startDate: grant.startDate,
    endDate: grant.endDate,
    fundingEndsOn: fundingEndsOnOf(grant),
    awarded: toDto(grant.awarded),
    exchangeRateToDkk: grant.exchangeRateToDkk,
    awardedDkk: dkk(awardedDkk),
    receivedDkk: dkk(grant.receivedDkkMinor),
    outstandingDkk: dkk(Math.max(0, awardedDkk - grant.receivedDkkMinor)),
    expectedDkk: dkk(expectedDkkMinor(grant)),
    projectLead: grant.projectLead,
    watchers: [...grant.watchers],
    reportingPeriods: [...grant.reportingPeriods],
    alertLeadDays: grant.alertLeadDays ? [...grant.alertLeadDays] : undefined,
    payments: children
      ? [...children.payments].sort((a, b) => a.receivedOn.localeCompare(b.receivedOn)).map(toPaymentDto)
      : undefined,
    deadlines: children
      ? [...children.deadlines].sort((a, b) => a.dueOn.localeCompare(b.dueOn)).map(toDeadlineDto)
      : undefined,
    expectedPayments: children
      ? [...(children.expectedPayments ?? [])]
          .sort((a, b) => a.expectedOn.localeCompare(b.expectedOn))
          .map((e) => toExpectedPaymentDto(e, grant))
      : undefined,
    createdAt: grant.createdAt,
    createdBy: grant.createdBy,
    updatedAt: grant.updatedAt,
    updatedBy: grant.updatedBy,
  });
};
