import * as z from 'zod';
import { DeadlineSchema, ForvaltningSchema, GrantSchema, HistoryEntrySchema } from '../domain/schemas';
import { TOTALS_GROUP_BY } from './queries';

/**
 * Bodies the API answers with that are not a domain representation of their own: pages, totals,
 * feed tokens, health. Each carries an `id`, so the OpenAPI document lists it once under
 * components/schemas and generated clients get a named type.
 */

const nextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` to read the next page; null on the last page' });

export const GrantPageSchema = z
  .strictObject({ items: z.array(GrantSchema), nextCursor })
  .meta({ id: 'GrantPage', description: 'One page of grants, newest first' });

export const HistoryPageSchema = z
  .strictObject({ items: z.array(HistoryEntrySchema), nextCursor })
  .meta({ id: 'HistoryPage', description: 'One page of a grant\u2019s history, newest first' });

export const DeadlineListItemSchema = DeadlineSchema.extend({
  grantId: z.string(),
  acronym: z.string(),
  forvaltning: ForvaltningSchema,
  daysLeft: z
    .number()
    .int()
    .meta({ description: 'Days from today (Europe/Copenhagen) to dueOn; negative when overdue' }),
}).meta({ id: 'DeadlineListItem' });

export const DeadlineListSchema = z
  .strictObject({ items: z.array(DeadlineListItemSchema) })
  .meta({ id: 'DeadlineList', description: 'Deadlines sorted by dueOn' });

const dkkAmount = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .meta({ description: 'DKK as a decimal string with exactly 2 decimals', example: '4971004.88' });

const totalsAmounts = {
  awarded: dkkAmount.meta({
    description: 'DKK awarded to grants that are AWARDED, ACTIVE or CLOSED, counted in the year of startDate',
  }),
  received: dkkAmount.meta({
    description: "DKK received: the sum of payments' amountDkk, counted by receivedOn",
  }),
  outstanding: dkkAmount.meta({ description: 'awarded − received of the same grants' }),
  expected: dkkAmount.meta({
    description:
      "DKK still to come: OPEN expected payments, converted at their grant's rate, counted by expectedOn",
  }),
  grantCount: z.number().int().min(0).meta({
    description: 'Every grant that matches the filter, whatever its status (APPLIED and REJECTED included)',
  }),
};

export const TotalsAmountsSchema = z.strictObject(totalsAmounts).meta({ id: 'TotalsAmounts' });

export const TotalsGroupSchema = z
  .strictObject({
    key: z.partialRecord(z.enum(TOTALS_GROUP_BY), z.union([z.string(), z.number().int()])).meta({
      description: 'The group: one entry per groupBy dimension, e.g. {"forvaltning": "TMF", "year": 2021}',
    }),
    ...totalsAmounts,
  })
  .meta({ id: 'TotalsGroup' });

export const TotalsReportSchema = z
  .strictObject({
    currency: z.literal('DKK'),
    groupBy: z.array(z.enum(TOTALS_GROUP_BY)),
    groups: z.array(TotalsGroupSchema),
    total: TotalsAmountsSchema,
  })
  .meta({ id: 'TotalsReport' });

export const FeedScopeSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('all') }),
    z.strictObject({ kind: z.literal('forvaltning'), forvaltning: ForvaltningSchema }),
    z.strictObject({ kind: z.literal('grant'), grantId: z.string() }),
  ])
  .meta({ id: 'FeedScope', description: 'What the feed shows: everything, one forvaltning or one grant' });

export const IssuedFeedTokenSchema = z
  .strictObject({
    tokenId: z.string(),
    token: z.string().meta({ description: 'Shown once: only its hash is kept' }),
    url: z.url().meta({ description: 'The subscription URL, ready to paste into a calendar client' }),
    scope: FeedScopeSchema,
    label: z.string().optional(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'IssuedFeedToken' });

export const HealthSchema = z.strictObject({ status: z.enum(['ok', 'unavailable']) }).meta({ id: 'Health' });

/** The OpenAPI document itself: an object whose shape OpenAPI 3.1 defines. */
export const OpenApiDocumentSchema = z
  .looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) })
  .meta({ id: 'OpenApiDocument' });
