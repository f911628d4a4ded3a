import { createHash } from 'node:crypto';
import * as z from 'zod';
import {
  DeadlineSchema,
  EmailSchema,
  ExpectedPaymentSchema,
  GrantRefSchema,
  GrantStatusSchema,
  IsoDateSchema,
  PaymentSchema,
} from '../lib/domain/schemas';
import { ALERT_DETAIL_TYPES, type DetailType, EVENT_SOURCE } from '../lib/shared/names';

/**
 * The event contracts (PRODUCT.md 3) as data: one zod schema per detail-type, its version and a
 * realistic example. Producers build details with `buildEvent`, the notifier reads them with
 * `parseDetail`, and `events/generate.ts` turns the same schemas into the JSON Schemas and example
 * events under events/schemas and events/examples.
 */

// ---- Versions ----

/**
 * The contract version of each detail-type, carried in every detail as `eventVersion`. Bump it on any
 * change a consumer written against the previous schema could trip over (see events/README.md).
 */
const EVENT_VERSIONS = {
  GrantRegistered: 1,
  GrantUpdated: 1,
  GrantStatusChanged: 1,
  PaymentRecorded: 1,
  DeadlineAdded: 1,
  DeadlineCompleted: 1,
  DeadlineApproaching: 1,
  DeadlineMissed: 1,
  GrantExpiring: 1,
  GrantExpired: 1,
  ExpectedPaymentAdded: 1,
  ExpectedPaymentSettled: 1,
  PaymentOverdue: 1,
  DigestSent: 1,
} as const satisfies Record<DetailType, number>;

// ---- The envelope ----

export const EventIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1–128 letters, digits, ".", "_", ":" or "-"')
  .meta({
    description:
      'Identifies the event for good: a redelivery carries the same id, so consumers dedupe by it. ' +
      'Alerts have deterministic ids (same deadline or funding end, same threshold, same id).',
  });

export const OccurredAtSchema = z.iso
  .datetime({ message: 'must be an ISO 8601 UTC timestamp, e.g. "2024-12-16T05:00:00.000Z"' })
  .meta({ description: 'When the change was committed, or when the sweep that raised the alert ran (UTC).' });

const envelope = <T extends DetailType>(detailType: T) => ({
  eventId: EventIdSchema,
  eventVersion: z
    .literal(EVENT_VERSIONS[detailType])
    .meta({ description: `Version of the ${detailType} contract this detail follows.` }),
  occurredAt: OccurredAtSchema,
  grant: GrantRefSchema,
});

/** The envelope fields a producer never sets by hand: `buildEvent` fills them. */
type EnvelopeMeta = 'eventId' | 'eventVersion' | 'occurredAt';

// ---- Shared detail fields ----

const uniqueStrings = (values: readonly string[]) => new Set(values).size === values.length;

const wholeDays = (description: string) => z.number().int('must be whole days').min(0).meta({ description });

const recipients = z
  .array(EmailSchema)
  .min(1, 'an alert goes to at least one address')
  .max(50, 'at most 50 recipients')
  .refine(uniqueStrings, 'must name each address once')
  .meta({
    description: "The grant's project lead and watchers, each address once; the notifier e-mails them.",
  });

const threshold = wholeDays('The alert threshold crossed, in days before the date (e.g. 30, 14, 7 or 1).');

const notAfterThreshold = (detail: { daysLeft: number; threshold: number }, ctx: z.RefinementCtx) => {
  if (detail.daysLeft > detail.threshold) {
    ctx.addIssue({
      code: 'custom',
      path: ['daysLeft'],
      message: 'must not exceed threshold: a threshold is crossed',
    });
  }
};

// ---- One schema per detail-type ----

export const GrantRegisteredDetailSchema = z.strictObject({ ...envelope('GrantRegistered') });

export const GrantUpdatedDetailSchema = z.strictObject({
  ...envelope('GrantUpdated'),
  changed: z
    .array(z.string().min(1))
    .min(1, 'name at least one changed field')
    .refine(uniqueStrings, 'must name each field once')
    .meta({
      description:
        'The fields whose value changed, as the API names them (e.g. "awarded", "reportingPeriods"). ' +
        'A status change is announced by GrantStatusChanged instead.',
    }),
});

export const GrantStatusChangedDetailSchema = z
  .strictObject({
    ...envelope('GrantStatusChanged'),
    from: GrantStatusSchema.meta({ description: 'The status before the change.' }),
    to: GrantStatusSchema.meta({ description: 'The status after the change.' }),
  })
  .refine((detail) => detail.from !== detail.to, { path: ['to'], message: 'must differ from from' });

export const PaymentRecordedDetailSchema = z.strictObject({
  ...envelope('PaymentRecorded'),
  payment: PaymentSchema,
});

export const DeadlineAddedDetailSchema = z.strictObject({
  ...envelope('DeadlineAdded'),
  deadline: DeadlineSchema,
});

export const DeadlineCompletedDetailSchema = z
  .strictObject({ ...envelope('DeadlineCompleted'), deadline: DeadlineSchema })
  .refine((detail) => detail.deadline.status === 'DONE', {
    path: ['deadline', 'status'],
    message: 'a completed deadline is DONE',
  });

export const DeadlineApproachingDetailSchema = z
  .strictObject({
    ...envelope('DeadlineApproaching'),
    deadline: DeadlineSchema,
    daysLeft: wholeDays('Calendar days (Europe/Copenhagen) from the sweep date to the deadline’s dueOn.'),
    threshold,
    recipients,
  })
  .superRefine(notAfterThreshold);

export const DeadlineMissedDetailSchema = z.strictObject({
  ...envelope('DeadlineMissed'),
  deadline: DeadlineSchema,
  daysOverdue: z
    .number()
    .int('must be whole days')
    .min(1, 'a missed deadline is at least 1 day overdue')
    .meta({ description: 'Calendar days (Europe/Copenhagen) since dueOn, at least 1.' }),
  recipients,
});

export const GrantExpiringDetailSchema = z
  .strictObject({
    ...envelope('GrantExpiring'),
    fundingEndsOn: IsoDateSchema.meta({
      description: 'The last day the grant funds (defaults to its endDate).',
    }),
    daysLeft: wholeDays('Calendar days (Europe/Copenhagen) from the sweep date to fundingEndsOn.'),
    threshold,
    recipients,
  })
  .superRefine(notAfterThreshold);

export const GrantExpiredDetailSchema = z.strictObject({
  ...envelope('GrantExpired'),
  fundingEndsOn: IsoDateSchema.meta({ description: 'The last day the grant funded; it has now passed.' }),
  recipients,
});

export const ExpectedPaymentAddedDetailSchema = z.strictObject({
  ...envelope('ExpectedPaymentAdded'),
  expectedPayment: ExpectedPaymentSchema,
});

export const ExpectedPaymentSettledDetailSchema = z
  .strictObject({ ...envelope('ExpectedPaymentSettled'), expectedPayment: ExpectedPaymentSchema })
  .refine((detail) => detail.expectedPayment.status === 'RECEIVED' && detail.expectedPayment.paymentId, {
    path: ['expectedPayment', 'status'],
    message: 'a settled expected payment is RECEIVED and names its paymentId',
  });

export const PaymentOverdueDetailSchema = z.strictObject({
  ...envelope('PaymentOverdue'),
  expectedPayment: ExpectedPaymentSchema,
  daysOverdue: z
    .number()
    .int('must be whole days')
    .min(30, 'an expected payment is overdue 30 days after expectedOn')
    .meta({ description: 'Calendar days (Europe/Copenhagen) since expectedOn, at least 30.' }),
  recipients,
});

/**
 * A digest lists items of several grants, so its envelope names them all (`grants`, most pressing
 * first) where every other detail names its one `grant`.
 */
export const DigestSentDetailSchema = z.strictObject({
  eventId: EventIdSchema,
  eventVersion: z
    .literal(EVENT_VERSIONS.DigestSent)
    .meta({ description: 'Version of the DigestSent contract this detail follows.' }),
  occurredAt: OccurredAtSchema,
  grants: z
    .array(GrantRefSchema)
    .min(1, 'a digest lists at least one grant')
    .meta({ description: 'The grants the digest listed items of, most pressing first.' }),
  recipient: EmailSchema.meta({ description: 'The one address the digest went to (lower case).' }),
  period: z
    .strictObject({
      from: IsoDateSchema.meta({ description: 'Monday of the ISO week the digest is for.' }),
      to: IsoDateSchema.meta({ description: 'Sunday of that week.' }),
    })
    .refine((period) => period.from <= period.to, { path: ['to'], message: 'must not be before from' })
    .meta({ description: 'The ISO week (Monday to Sunday, Europe/Copenhagen dates) the digest is for.' }),
  itemCount: z
    .number()
    .int('must be a whole number')
    .min(1, 'a digest lists at least one item')
    .meta({ description: 'Deadlines, funding ends and expected payments the digest listed.' }),
});

// ---- Deterministic ids ----

/**
 * A UUID-formatted id (RFC 9562 version 8: vendor-defined bits) from the SHA-256 of the parts. The
 * parts are hashed as a JSON array, so ["a", "bc"] and ["ab", "c"] differ.
 */
export const deterministicUuid = (parts: readonly string[]): string => {
  if (parts.length === 0) throw new RangeError('A deterministic id needs at least one part.');
  const bytes = createHash('sha256').update(JSON.stringify(parts)).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** A digest's eventId: one per address and ISO week, so a repeated run makes the same event. */
export const digestEventId = (week: string, address: string): string =>
  deterministicUuid(['digest', week, address]);

/**
 * An alert's eventId: the same parts always give the same id, so a re-run sweep, or two at once, emit
 * the same event and consumers drop the repeat. Pass what identifies the alert for good, e.g.
 * `[grantId, 'DEADLINE', deadlineId, dueOn, String(threshold)]` (lib/domain/alerts.ts `deadlineAlertKey`).
 */
export const alertEventId = (parts: readonly string[]): string => deterministicUuid(['alert', ...parts]);

// ---- Realistic examples (KK data: PRODUCT.md and seeds/003) ----

/** ATELIER: H2020 positive energy districts, TMF, November 2019 – October 2024, EUR 665,462.50 to KK. */
const atelier = {
  grantId: '01HQ8ZK4V6N3T2RXW5M7B9C1DE',
  acronym: 'ATELIER',
  forvaltning: 'TMF',
  programme: 'H2020',
} as const;

/** The Øresundsmetro study: Interreg, OKF; its Interreg funding ended 2021-03-31. */
const oresundsmetro = {
  grantId: '01HQ8ZK5B2W7Q4XN8D3F6G0HJA',
  acronym: 'Øresundsmetro',
  forvaltning: 'OKF',
  programme: 'INTERREG',
} as const;

const atelierRecipients = ['pd7k@kk.dk', 'energilab-nordhavn@tmf.kk.dk'];

const atelierFinalReport = {
  deadlineId: '01J0Q3M8S6V1Y4Z7B2C5D9E3FG',
  kind: 'FINAL_REPORT',
  title: 'Final report (RP3, M37–M60) in the Funding & Tenders Portal',
  dueOn: '2024-12-30',
  status: 'OPEN',
} as const;

/** ATELIER's balance with the Guarantee Fund's 5 % returned, expected after the final review. */
const atelierBalance = {
  expectedPaymentId: '01J5T2W8Z4C7F0H3K6N9Q2S5V9',
  expectedOn: '2025-01-31',
  amount: { amount: '99819.38', currency: 'EUR' },
  amountDkk: { amount: '744690.51', currency: 'DKK' },
  kind: 'BALANCE',
  note: 'Balance after the final review, with the 5 % Guarantee Fund contribution returned',
  status: 'OPEN',
  createdAt: '2024-08-20T10:12:44.530Z',
  createdBy: 'lear@tmf.kk.dk',
  updatedAt: '2024-08-20T10:12:44.530Z',
  updatedBy: 'lear@tmf.kk.dk',
} as const;

// ---- The catalogue ----

/** What every catalogue entry gives: the detail-type, its version, what it means, its schema and an example. */
export interface EventContract<T extends DetailType = DetailType, S extends z.ZodType = z.ZodType> {
  readonly detailType: T;
  readonly version: number;
  readonly description: string;
  readonly schema: S;
  readonly example: z.input<S>;
}

const contract = <T extends DetailType, S extends z.ZodType>(
  detailType: T,
  schema: S,
  description: string,
  example: z.input<S>,
) => ({ detailType, version: EVENT_VERSIONS[detailType], description, schema, example }) as const;

export const EVENT_CATALOGUE = {
  GrantRegistered: contract(
    'GrantRegistered',
    GrantRegisteredDetailSchema,
    'A grant was registered, through the API or the bulk import. Read the whole grant from GET /grants/{grantId}.',
    {
      eventId: '01HQ8ZK4V6XG2M5R8T1W4Y7A0B',
      eventVersion: 1,
      occurredAt: '2024-03-11T09:15:42.318Z',
      grant: atelier,
    },
  ),
  GrantUpdated: contract(
    'GrantUpdated',
    GrantUpdatedDetailSchema,
    'Fields of a registered grant changed. `changed` names them; a status change comes as GrantStatusChanged.',
    {
      eventId: '01HW2B6N9R3T7X1Z5C8F2H6K0M',
      eventVersion: 1,
      occurredAt: '2024-04-22T13:02:17.904Z',
      grant: atelier,
      changed: ['reportingPeriods', 'watchers'],
    },
  ),
  GrantStatusChanged: contract(
    'GrantStatusChanged',
    GrantStatusChangedDetailSchema,
    'A grant moved from one status to another (APPLIED→AWARDED|REJECTED, AWARDED→ACTIVE|TERMINATED, ACTIVE→CLOSED|TERMINATED).',
    {
      eventId: '01JMB4Q7T0W3Y6A9D2G5J8M1P4',
      eventVersion: 1,
      occurredAt: '2025-02-14T10:41:05.127Z',
      grant: atelier,
      from: 'ACTIVE',
      to: 'CLOSED',
    },
  ),
  PaymentRecorded: contract(
    'PaymentRecorded',
    PaymentRecordedDetailSchema,
    'Funding was brought home ("hjemtaget"): a payment was recorded against the grant, with its amount as paid and as booked in DKK.',
    {
      eventId: '01G5W8Z1C4F7J0M3Q6S9V2X5A8',
      eventVersion: 1,
      occurredAt: '2022-06-15T08:30:11.402Z',
      grant: atelier,
      payment: {
        paymentId: '01G5W8Z1C4F7J0M3Q6S9V2X5B9',
        receivedOn: '2022-06-14',
        amount: { amount: '199638.75', currency: 'EUR' },
        amountDkk: { amount: '1489380.94', currency: 'DKK' },
        kind: 'INTERIM',
        reference: 'H2020 GA 864374, interim payment RP1',
        recordedAt: '2022-06-15T08:30:11.402Z',
        recordedBy: 'lear@tmf.kk.dk',
      },
    },
  ),
  DeadlineAdded: contract(
    'DeadlineAdded',
    DeadlineAddedDetailSchema,
    "A deadline was added to a grant, by hand or derived from a reporting period (H2020 / Horizon Europe reports fall due 60 days after the period's end).",
    {
      eventId: '01J0Q3M8S6V1Y4Z7B2C5D9E3FH',
      eventVersion: 1,
      occurredAt: '2024-06-03T11:20:48.016Z',
      grant: atelier,
      deadline: atelierFinalReport,
    },
  ),
  DeadlineCompleted: contract(
    'DeadlineCompleted',
    DeadlineCompletedDetailSchema,
    'A deadline was marked DONE; no further alerts are sent for it.',
    {
      eventId: '01JG4T6W9Z2B5D8F1H4K7N0Q3S',
      eventVersion: 1,
      occurredAt: '2024-12-19T14:05:33.781Z',
      grant: atelier,
      deadline: { ...atelierFinalReport, status: 'DONE', doneOn: '2024-12-19', doneBy: 'pd7k@kk.dk' },
    },
  ),
  DeadlineApproaching: contract(
    'DeadlineApproaching',
    DeadlineApproachingDetailSchema,
    'Alert: an OPEN deadline is `daysLeft` days away and has crossed `threshold` (by default 30, 14, 7 or 1 days before dueOn). One alert per threshold, only the tightest when a sweep finds several crossed.',
    {
      eventId: alertEventId([atelier.grantId, 'DEADLINE', atelierFinalReport.deadlineId, '2024-12-30', '14']),
      eventVersion: 1,
      occurredAt: '2024-12-16T05:00:00.000Z',
      grant: atelier,
      deadline: atelierFinalReport,
      daysLeft: 14,
      threshold: 14,
      recipients: atelierRecipients,
    },
  ),
  DeadlineMissed: contract(
    'DeadlineMissed',
    DeadlineMissedDetailSchema,
    'Alert, sent once: a deadline passed its dueOn while still OPEN.',
    {
      eventId: alertEventId([
        atelier.grantId,
        'DEADLINE',
        atelierFinalReport.deadlineId,
        '2024-12-30',
        'MISSED',
      ]),
      eventVersion: 1,
      occurredAt: '2024-12-31T05:00:00.000Z',
      grant: atelier,
      deadline: atelierFinalReport,
      daysOverdue: 1,
      recipients: atelierRecipients,
    },
  ),
  GrantExpiring: contract(
    'GrantExpiring',
    GrantExpiringDetailSchema,
    "Alert: the grant's funding ends in `daysLeft` days and has crossed `threshold` (by default 90 or 30 days before fundingEndsOn).",
    {
      eventId: alertEventId([atelier.grantId, 'FUNDING', '2024-10-31', '90']),
      eventVersion: 1,
      occurredAt: '2024-08-02T04:00:00.000Z',
      grant: atelier,
      fundingEndsOn: '2024-10-31',
      daysLeft: 90,
      threshold: 90,
      recipients: atelierRecipients,
    },
  ),
  GrantExpired: contract(
    'GrantExpired',
    GrantExpiredDetailSchema,
    "Alert, sent once: the grant's funding ended (fundingEndsOn has passed) while the grant is still AWARDED or ACTIVE.",
    {
      eventId: alertEventId([oresundsmetro.grantId, 'FUNDING', '2021-03-31', 'EXPIRED']),
      eventVersion: 1,
      occurredAt: '2021-04-01T04:00:00.000Z',
      grant: oresundsmetro,
      fundingEndsOn: '2021-03-31',
      recipients: ['mobilitet@okf.kk.dk'],
    },
  ),
  ExpectedPaymentAdded: contract(
    'ExpectedPaymentAdded',
    ExpectedPaymentAddedDetailSchema,
    "A payment is expected: a LEAR administrator or finance planned it from the grant or consortium agreement (pre-financing, interim, balance, the EU's retention released). It counts as expected in the totals until a payment settles it or it is cancelled.",
    {
      eventId: '01J5T2W8Z4C7F0H3K6N9Q2S5V8',
      eventVersion: 1,
      occurredAt: '2024-08-20T10:12:44.530Z',
      grant: atelier,
      expectedPayment: atelierBalance,
    },
  ),
  ExpectedPaymentSettled: contract(
    'ExpectedPaymentSettled',
    ExpectedPaymentSettledDetailSchema,
    'A recorded payment settled an expected payment: it is RECEIVED, names the payment, and no longer counts as expected.',
    {
      eventId: '01JN8D3G6K9P2S5W8Z1C4F7J0M',
      eventVersion: 1,
      occurredAt: '2025-03-05T09:41:18.204Z',
      grant: atelier,
      expectedPayment: {
        ...atelierBalance,
        status: 'RECEIVED',
        paymentId: '01JN8D3G6K9P2S5W8Z1C4F7J0N',
        updatedAt: '2025-03-05T09:41:18.204Z',
        updatedBy: 'oekonomi@tmf.kk.dk',
      },
    },
  ),
  PaymentOverdue: contract(
    'PaymentOverdue',
    PaymentOverdueDetailSchema,
    'Alert, sent once per expectedOn: an expected payment is still OPEN 30 days after it was expected.',
    {
      eventId: alertEventId([
        `${atelier.grantId}#EXPECTED#${atelierBalance.expectedPaymentId}#2025-01-31#OVERDUE`,
      ]),
      eventVersion: 1,
      occurredAt: '2025-03-03T05:00:00.000Z',
      grant: atelier,
      expectedPayment: atelierBalance,
      daysOverdue: 31,
      recipients: atelierRecipients,
    },
  ),
  DigestSent: contract(
    'DigestSent',
    DigestSentDetailSchema,
    'The weekly digest went to one address: everything OPEN of its grants that was overdue or due within 30 days (deadlines, funding ends, expected payments), grouped by grant. Sent at most once per address and ISO week.',
    {
      eventId: digestEventId('2024-W51', 'pd7k@kk.dk'),
      eventVersion: 1,
      occurredAt: '2024-12-16T06:00:03.512Z',
      grants: [atelier, oresundsmetro],
      recipient: 'pd7k@kk.dk',
      period: { from: '2024-12-16', to: '2024-12-22' },
      itemCount: 3,
    },
  ),
} as const satisfies { readonly [T in DetailType]: EventContract<T> };

export type EventCatalogue = typeof EVENT_CATALOGUE;

/** A detail of the given detail-type, as validated and as consumers receive it. */
export type EventDetail<T extends DetailType> = z.output<EventCatalogue[T]['schema']>;

/** What a producer supplies for a detail: everything but the envelope's eventId, eventVersion and occurredAt. */
export type EventFields<T extends DetailType> = Omit<z.input<EventCatalogue[T]['schema']>, EnvelopeMeta>;

export type AlertDetailType = (typeof ALERT_DETAIL_TYPES)[number];

export const isDetailType = (value: unknown): value is DetailType =>
  typeof value === 'string' && Object.hasOwn(EVENT_CATALOGUE, value);

export const isAlertDetailType = (value: unknown): value is AlertDetailType =>
  typeof value === 'string' && (ALERT_DETAIL_TYPES as readonly string[]).includes(value);

// ---- Building and reading details ----

/** A detail that breaks its contract: a bug in the producer (or a consumer reading another version). */
export class EventContractError extends Error {
  readonly detailType: string;
  readonly issues: readonly { readonly path: string; readonly message: string }[];

  constructor(detailType: string, issues: readonly { readonly path: string; readonly message: string }[]) {
    super(
      `${detailType} detail breaks its contract: ${issues.map((i) => `${i.path || '(detail)'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'EventContractError';
    this.detailType = detailType;
    this.issues = issues;
  }
}

/** The catalogue entry, checked at run time too: callers outside TypeScript can pass any string. */
const contractOf = (detailType: string): EventContract => {
  const entry = isDetailType(detailType) ? (EVENT_CATALOGUE[detailType] as EventContract) : undefined;
  if (!entry)
    throw new EventContractError(String(detailType), [{ path: '', message: 'is not a known detail-type' }]);
  return entry;
};

const validate = <T extends DetailType>(detailType: T, detail: unknown): EventDetail<T> => {
  const result = contractOf(detailType).schema.safeParse(detail);
  if (!result.success) {
    throw new EventContractError(
      detailType,
      result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    );
  }
  return result.data as EventDetail<T>;
};

export interface EventMeta {
  readonly eventId: string;
  readonly occurredAt: Date | string;
}

/**
 * The only way a producer makes a detail: fills the envelope (eventVersion from the catalogue) and
 * validates the whole against the schema, so a malformed event throws here instead of reaching the bus.
 */
export const buildEvent = <T extends DetailType>(
  detailType: T,
  fields: EventFields<T>,
  meta: EventMeta,
): EventDetail<T> =>
  validate(detailType, {
    ...fields,
    eventId: meta.eventId,
    eventVersion: contractOf(detailType).version,
    occurredAt: typeof meta.occurredAt === 'string' ? meta.occurredAt : meta.occurredAt.toISOString(),
  });

/** Validates a received detail against the current contract of its detail-type; throws EventContractError. */
export const parseDetail = <T extends DetailType>(detailType: T, detail: unknown): EventDetail<T> =>
  validate(detailType, detail);

// ---- On the bus ----

/** One entry of an EventBridge PutEvents request (structurally the SDK's PutEventsRequestEntry). */
export interface PutEventsEntry<T extends DetailType = DetailType> {
  readonly Source: typeof EVENT_SOURCE;
  readonly DetailType: T;
  readonly Detail: string;
  readonly EventBusName: string;
}

export const putEventsEntry = <T extends DetailType>(
  detailType: T,
  detail: EventDetail<T>,
  busName: string,
): PutEventsEntry<T> => ({
  Source: EVENT_SOURCE,
  DetailType: detailType,
  Detail: JSON.stringify(detail),
  EventBusName: busName,
});

/** An event as EventBridge delivers it to a rule's targets. */
export interface DeliveredEvent<D = unknown> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: D;
}

/** EventBridge's `time`: ISO 8601 in UTC to the second. */
const eventBridgeTime = (time: Date | string): string =>
  new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What a target receives for a PutEvents entry; the local bus and the example generator use it. */
export const toDeliveredEvent = (
  entry: { readonly Source: string; readonly DetailType: string; readonly Detail: string },
  delivery: {
    readonly id: string;
    readonly time: Date | string;
    readonly account: string;
    readonly region: string;
  },
): DeliveredEvent => ({
  version: '0',
  id: delivery.id,
  'detail-type': entry.DetailType,
  source: entry.Source,
  account: delivery.account,
  time: eventBridgeTime(delivery.time),
  region: delivery.region,
  resources: [],
  detail: JSON.parse(entry.Detail) as unknown,
});
