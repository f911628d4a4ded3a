import * as z from 'zod';
import { CURRENCIES, FORVALTNING_CODES, FUNDER_TYPES, PROGRAMME_CODES } from '../config/catalogues';
import { DEADLINE_KINDS, GRANT_ROLES, GRANT_STATUSES, PAYMENT_KINDS } from './codes';
import { ISO_DATE_PATTERN, isValidIsoDate } from './dates';
import { AMOUNT_PATTERN, RATE_PATTERN } from './money';

/**
 * The wire contract. Every input is validated here, by the API and by the importer alike;
 * the OpenAPI document and the event JSON Schemas are generated from these schemas.
 */

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const IsoDateSchema = z
  .string()
  .regex(ISO_DATE_PATTERN, { message: 'must be a calendar date as YYYY-MM-DD', abort: true })
  .refine(isValidIsoDate, 'must be a calendar date as YYYY-MM-DD')
  .meta({ description: 'Calendar date in Europe/Copenhagen', example: '2024-10-31' });

export const CurrencySchema = z.enum(CURRENCIES);

export const MoneySchema = z
  .strictObject({
    amount: z
      .string()
      .regex(
        AMOUNT_PATTERN,
        'must be a decimal string ≥ 0 below ten billion with at most 2 decimals, e.g. "665462.50"',
      ),
    currency: CurrencySchema,
  })
  .meta({ id: 'Money', example: { amount: '665462.50', currency: 'EUR' } });

/**
 * Money the API computes (conversions to DKK and sums): exactly 2 decimals, and beyond the bound
 * of an input amount, since an amount below ten billion times a rate below 1000 can reach 10^13.
 * A difference (outstanding) may be negative when more was booked in DKK than awarded.
 */
export const ComputedMoneySchema = z
  .strictObject({ amount: z.string().regex(/^-?\d{1,13}\.\d{2}$/), currency: CurrencySchema })
  .meta({ id: 'ComputedMoney', example: { amount: '4964658.60', currency: 'DKK' } });

export const RateSchema = z
  .string()
  .regex(RATE_PATTERN, 'must be a decimal string below 1000 with at most 6 decimals, e.g. "7.46038"')
  .refine((rate) => /[1-9]/.test(rate), 'must be greater than 0');

export const ProgrammeSchema = z.enum(PROGRAMME_CODES);
export const ForvaltningSchema = z.enum(FORVALTNING_CODES);
export const FunderTypeSchema = z.enum(FUNDER_TYPES);
export const RoleSchema = z.enum(GRANT_ROLES);
export const GrantStatusSchema = z.enum(GRANT_STATUSES);
export type GrantStatus = z.infer<typeof GrantStatusSchema>;

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an e-mail address'));

export const PersonSchema = z.strictObject({ name: text(200), email: EmailSchema });

export const ReportingPeriodSchema = z.strictObject({ endsOn: IsoDateSchema });

const grantFields = {
  acronym: text(40),
  title: text(300),
  programme: ProgrammeSchema,
  forvaltning: ForvaltningSchema,
  unit: text(200).optional(),
  role: RoleSchema,
  status: GrantStatusSchema,
  grantAgreementNumber: z
    .string()
    .regex(/^\d{1,12}$/, 'must be digits only')
    .optional(),
  pic: z
    .string()
    .regex(/^\d{9}$/, 'must be exactly 9 digits')
    .optional(),
  callId: text(120).optional(),
  partners: z.array(text(200)).max(100, 'at most 100 partners').optional(),
  notes: z.string().max(5000, 'must be at most 5000 characters').optional(),
  startDate: IsoDateSchema,
  endDate: IsoDateSchema,
  fundingEndsOn: IsoDateSchema.optional(),
  awarded: MoneySchema,
  exchangeRateToDkk: RateSchema.optional(),
  projectLead: PersonSchema,
  watchers: z.array(EmailSchema).max(20, 'at most 20 watchers').optional(),
  reportingPeriods: z.array(ReportingPeriodSchema).max(20, 'at most 20 reporting periods').optional(),
  alertLeadDays: z
    .array(z.number().int('must be whole days').min(1, 'must be at least 1').max(365, 'must be at most 365'))
    .min(1, 'give at least one threshold or leave it out')
    .max(10, 'at most 10 thresholds')
    .optional(),
};

export type GrantFields = {
  [K in keyof typeof grantFields]: z.infer<(typeof grantFields)[K]>;
};

interface Issue {
  path: (string | number)[];
  message: string;
}

const isDate = (value: unknown): value is string => typeof value === 'string' && isValidIsoDate(value);
const CURRENCY_CODES: ReadonlySet<string> = new Set(CURRENCIES);

/**
 * Rules that span fields; applied to a new grant and to a grant with a patch applied. They also run
 * on input whose other fields failed (so every failing field is named at once) and therefore check
 * the type of each field they read.
 */
export const grantRuleIssues = (input: unknown): Issue[] => {
  if (typeof input !== 'object' || input === null) return [];
  const grant = input as Record<string, unknown>;
  const issues: Issue[] = [];
  const { startDate, endDate, fundingEndsOn, programme, grantAgreementNumber } = grant;
  const awarded = grant.awarded as { currency?: unknown } | undefined;
  const currency =
    typeof awarded?.currency === 'string' && CURRENCY_CODES.has(awarded.currency)
      ? awarded.currency
      : undefined;
  const rate = grant.exchangeRateToDkk;
  if (isDate(startDate) && isDate(endDate) && endDate < startDate) {
    issues.push({ path: ['endDate'], message: 'must be on or after startDate' });
  }
  if (isDate(startDate) && isDate(fundingEndsOn) && fundingEndsOn < startDate) {
    issues.push({ path: ['fundingEndsOn'], message: 'must be on or after startDate' });
  }
  if (typeof grantAgreementNumber === 'string' && /^\d+$/.test(grantAgreementNumber)) {
    if (programme === 'H2020' && !/^\d{6}$/.test(grantAgreementNumber)) {
      issues.push({
        path: ['grantAgreementNumber'],
        message: 'an H2020 grant agreement number has 6 digits',
      });
    }
    if (programme === 'HORIZON_EUROPE' && !/^101\d{6}$/.test(grantAgreementNumber)) {
      issues.push({
        path: ['grantAgreementNumber'],
        message: 'a Horizon Europe grant agreement number has 9 digits starting with 101',
      });
    }
  }
  if (currency === 'DKK' && rate !== undefined && rate !== null) {
    issues.push({
      path: ['exchangeRateToDkk'],
      message: 'applies only to grants awarded in another currency',
    });
  }
  if (
    currency &&
    currency !== 'DKK' &&
    currency !== 'EUR' &&
    (rate === undefined || rate === null || rate === '')
  ) {
    issues.push({
      path: ['exchangeRateToDkk'],
      message: `is required for grants awarded in ${currency} (only EUR has a default rate)`,
    });
  }
  if (Array.isArray(grant.reportingPeriods) && isDate(startDate)) {
    grant.reportingPeriods.forEach((period: unknown, index) => {
      const endsOn = (period as { endsOn?: unknown } | null)?.endsOn;
      if (isDate(endsOn) && endsOn < startDate) {
        issues.push({
          path: ['reportingPeriods', index, 'endsOn'],
          message: 'must be on or after startDate',
        });
      }
    });
  }
  return issues;
};

export const GrantInputSchema = z
  .strictObject(grantFields)
  .superRefine(
    (grant, ctx) => {
      for (const issue of grantRuleIssues(grant)) ctx.addIssue({ code: 'custom', ...issue });
    },
    // Cross-field rules run even when other fields failed, so every failing field is named at once.
    { when: () => true },
  )
  .meta({ id: 'GrantInput' });
export type GrantInput = z.infer<typeof GrantInputSchema>;

/** Optional fields may be cleared with null in a patch. */
const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const GrantPatchSchema = z
  .strictObject({
    acronym: grantFields.acronym.optional(),
    title: grantFields.title.optional(),
    programme: grantFields.programme.optional(),
    forvaltning: grantFields.forvaltning.optional(),
    unit: clearable(text(200)),
    role: grantFields.role.optional(),
    status: grantFields.status.optional(),
    grantAgreementNumber: clearable(z.string().regex(/^\d{1,12}$/, 'must be digits only')),
    pic: clearable(z.string().regex(/^\d{9}$/, 'must be exactly 9 digits')),
    callId: clearable(text(120)),
    partners: clearable(z.array(text(200)).max(100, 'at most 100 partners')),
    notes: clearable(z.string().max(5000, 'must be at most 5000 characters')),
    startDate: IsoDateSchema.optional(),
    endDate: IsoDateSchema.optional(),
    fundingEndsOn: clearable(IsoDateSchema),
    awarded: MoneySchema.optional(),
    exchangeRateToDkk: clearable(RateSchema),
    projectLead: PersonSchema.optional(),
    watchers: clearable(grantFields.watchers.unwrap()),
    reportingPeriods: clearable(grantFields.reportingPeriods.unwrap()),
    alertLeadDays: clearable(grantFields.alertLeadDays.unwrap()),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'name at least one field to change' })
  .meta({ id: 'GrantPatch' });
export type GrantPatch = z.infer<typeof GrantPatchSchema>;

export const PaymentKindSchema = z.enum(PAYMENT_KINDS);

export const PaymentInputSchema = z
  .strictObject({
    receivedOn: IsoDateSchema,
    amount: MoneySchema,
    amountDkk: MoneySchema.refine((m) => m.currency === 'DKK', {
      message: 'must be in DKK',
      path: ['currency'],
    }).optional(),
    kind: PaymentKindSchema,
    reference: text(200).optional(),
    note: z.string().max(2000, 'must be at most 2000 characters').optional(),
    settles: z
      .string()
      .min(1, 'must name an expected payment')
      .max(64, 'must be at most 64 characters')
      .optional()
      .meta({ description: 'The expectedPaymentId of the OPEN expected payment this payment settles' }),
  })
  .meta({ id: 'PaymentInput' });
export type PaymentInput = z.infer<typeof PaymentInputSchema>;

export const DeadlineKindSchema = z.enum(DEADLINE_KINDS);
export const DeadlineStatusSchema = z.enum(['OPEN', 'DONE', 'WAIVED']);
export type DeadlineStatus = z.infer<typeof DeadlineStatusSchema>;

export const DeadlineInputSchema = z
  .strictObject({ kind: DeadlineKindSchema, title: text(200), dueOn: IsoDateSchema })
  .meta({ id: 'DeadlineInput' });
export type DeadlineInput = z.infer<typeof DeadlineInputSchema>;

export const DeadlinePatchSchema = z
  .strictObject({ status: DeadlineStatusSchema })
  .meta({ id: 'DeadlinePatch' });

// ---- Representations returned by the API and carried in events ----

export const PaymentSchema = z
  .strictObject({
    paymentId: z.string(),
    receivedOn: IsoDateSchema,
    amount: MoneySchema,
    amountDkk: ComputedMoneySchema,
    kind: PaymentKindSchema,
    reference: z.string().optional(),
    note: z.string().optional(),
    settles: z.string().optional().meta({ description: 'The expected payment this payment settled' }),
    recordedAt: z.iso.datetime(),
    recordedBy: z.string(),
  })
  .meta({ id: 'Payment' });
export type PaymentDto = z.infer<typeof PaymentSchema>;

// ---- Expected payments (what is still to come, and when) ----

export const ExpectedPaymentKindSchema = z.enum([
  'PREFINANCING',
  'INTERIM',
  'BALANCE',
  'RETENTION_RELEASE',
  'OTHER',
]);
export const ExpectedPaymentStatusSchema = z.enum(['OPEN', 'RECEIVED', 'CANCELLED']);
export type ExpectedPaymentStatus = z.infer<typeof ExpectedPaymentStatusSchema>;

const expectedNote = z.string().max(2000, 'must be at most 2000 characters');

export const ExpectedPaymentInputSchema = z
  .strictObject({
    expectedOn: IsoDateSchema,
    amount: MoneySchema.meta({ description: "In the grant's own (awarded) currency" }),
    kind: ExpectedPaymentKindSchema,
    note: expectedNote.optional(),
  })
  .meta({ id: 'ExpectedPaymentInput' });
export type ExpectedPaymentInput = z.infer<typeof ExpectedPaymentInputSchema>;

export const ExpectedPaymentPatchSchema = z
  .strictObject({
    expectedOn: IsoDateSchema.optional(),
    amount: MoneySchema.optional(),
    note: expectedNote.nullable().optional(),
    status: z
      .literal('CANCELLED')
      .optional()
      .meta({ description: 'Cancels it: it no longer counts as expected. A payment settles it instead.' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'name at least one field to change' })
  .meta({ id: 'ExpectedPaymentPatch' });
export type ExpectedPaymentPatch = z.infer<typeof ExpectedPaymentPatchSchema>;

export const ExpectedPaymentSchema = z
  .strictObject({
    expectedPaymentId: z.string(),
    expectedOn: IsoDateSchema,
    amount: MoneySchema,
    amountDkk: ComputedMoneySchema.meta({ description: "The amount converted at the grant's rate" }),
    kind: ExpectedPaymentKindSchema,
    note: z.string().optional(),
    status: ExpectedPaymentStatusSchema,
    paymentId: z.string().optional().meta({ description: 'The payment that settled it (status RECEIVED)' }),
    createdAt: z.iso.datetime(),
    createdBy: z.string(),
    updatedAt: z.iso.datetime(),
    updatedBy: z.string(),
  })
  .meta({ id: 'ExpectedPayment' });
export type ExpectedPaymentDto = z.infer<typeof ExpectedPaymentSchema>;

export const DeadlineSchema = z
  .strictObject({
    deadlineId: z.string(),
    kind: DeadlineKindSchema,
    title: z.string(),
    dueOn: IsoDateSchema,
    status: DeadlineStatusSchema,
    doneOn: IsoDateSchema.optional(),
    doneBy: z.string().optional(),
  })
  .meta({ id: 'Deadline' });
export type DeadlineDto = z.infer<typeof DeadlineSchema>;

export const GrantSchema = z
  .strictObject({
    grantId: z.string(),
    version: z.number().int().min(1),
    acronym: z.string(),
    title: z.string(),
    programme: ProgrammeSchema,
    funderType: FunderTypeSchema,
    forvaltning: ForvaltningSchema,
    unit: z.string().optional(),
    role: RoleSchema,
    status: GrantStatusSchema,
    grantAgreementNumber: z.string().optional(),
    pic: z.string().optional(),
    callId: z.string().optional(),
    partners: z.array(z.string()),
    notes: z.string().optional(),
    startDate: IsoDateSchema,
    endDate: IsoDateSchema,
    fundingEndsOn: IsoDateSchema,
    awarded: MoneySchema,
    exchangeRateToDkk: z.string(),
    awardedDkk: ComputedMoneySchema,
    receivedDkk: ComputedMoneySchema,
    outstandingDkk: ComputedMoneySchema,
    expectedDkk: ComputedMoneySchema.meta({
      description: "OPEN expected payments, summed and converted at the grant's rate",
    }),
    projectLead: PersonSchema,
    watchers: z.array(z.string()),
    reportingPeriods: z.array(ReportingPeriodSchema),
    alertLeadDays: z.array(z.number().int()).optional(),
    payments: z.array(PaymentSchema).optional(),
    deadlines: z.array(DeadlineSchema).optional(),
    expectedPayments: z.array(ExpectedPaymentSchema).optional(),
    createdAt: z.iso.datetime(),
    createdBy: z.string(),
    updatedAt: z.iso.datetime(),
    updatedBy: z.string(),
  })
  .meta({ id: 'Grant' });
export type GrantDto = z.infer<typeof GrantSchema>;

export const GrantRefSchema = z
  .strictObject({
    grantId: z.string(),
    acronym: z.string(),
    forvaltning: ForvaltningSchema,
    programme: ProgrammeSchema,
  })
  .meta({ id: 'GrantRef' });
export type GrantRef = z.infer<typeof GrantRefSchema>;

// ---- History (who changed what) ----

export const HistoryActionSchema = z.enum([
  'GRANT_REGISTERED',
  'GRANT_UPDATED',
  'PAYMENT_RECORDED',
  'EXPECTED_PAYMENT_ADDED',
  'EXPECTED_PAYMENT_UPDATED',
  'EXPECTED_PAYMENT_SETTLED',
  'DEADLINE_ADDED',
  'DEADLINE_UPDATED',
  'DEADLINE_REMOVED',
]);
export type HistoryAction = z.infer<typeof HistoryActionSchema>;

export const HistoryEntrySchema = z
  .strictObject({
    entryId: z.string(),
    at: z.iso.datetime().meta({ description: 'When the change was committed (UTC)' }),
    by: z.string().meta({ description: 'Who made it: an e-mail, or a finance system’s client id' }),
    action: HistoryActionSchema,
    subject: z
      .strictObject({
        type: z.enum(['grant', 'payment', 'expectedPayment', 'deadline']),
        id: z.string(),
      })
      .meta({
        description: 'What changed: the grant itself, or one of its payments, expected payments, deadlines',
      }),
    changes: z
      .array(
        z.strictObject({
          field: z.string().meta({ description: 'The field as the API names it, e.g. "awarded", "status"' }),
          from: z.unknown().meta({ description: 'The old value (null: it had none); money as Money' }),
          to: z.unknown().meta({ description: 'The new value (null: it has none now); money as Money' }),
        }),
      )
      .meta({ description: 'Every field that changed, with its old and new value' }),
  })
  .meta({ id: 'HistoryEntry' });
export type HistoryEntryDto = z.infer<typeof HistoryEntrySchema>;

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
