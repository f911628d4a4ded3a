import * as z from 'zod';
import { GRANT_SORTS, TOTALS_GROUP_BY } from '../domain/codes';
import {
  DeadlineStatusSchema,
  ForvaltningSchema,
  FunderTypeSchema,
  GrantStatusSchema,
  IsoDateSchema,
  ProgrammeSchema,
} from '../domain/schemas';

/** Query strings of the API, validated like bodies: every failing parameter is named. */

export { GRANT_SORTS, TOTALS_GROUP_BY };
export type GrantSort = (typeof GRANT_SORTS)[number];

export const GrantListQuerySchema = z.strictObject({
  forvaltning: ForvaltningSchema.optional(),
  programme: ProgrammeSchema.optional(),
  status: GrantStatusSchema.optional(),
  funderType: FunderTypeSchema.optional(),
  q: z
    .string()
    .trim()
    .max(100, 'must be at most 100 characters')
    .optional()
    .meta({ description: 'Words that must all appear in the acronym or the title (any case)' }),
  sort: z
    .enum(GRANT_SORTS)
    .optional()
    .meta({ description: 'Order of the list; a leading - reverses it. Omitted: newest registered first' }),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'))
    .optional(),
  cursor: z.string().max(1000).optional(),
});

/** A page of a grant's history: newest first, at most 100 entries (50 unless told). */
export const HistoryQuerySchema = z.strictObject({
  limit: GrantListQuerySchema.shape.limit,
  cursor: z.string().max(1000).optional(),
});

export const DeadlineListQuerySchema = z
  .strictObject({
    from: IsoDateSchema.optional(),
    to: IsoDateSchema.optional(),
    forvaltning: ForvaltningSchema.optional(),
    status: DeadlineStatusSchema.optional(),
    mine: z.enum(['true', 'false']).optional().meta({
      description: 'true: only deadlines of grants the caller leads or watches (by the e-mail in the token)',
    }),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && query.to < query.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
    }
    if (query.from && query.to && Number(query.to.slice(0, 4)) - Number(query.from.slice(0, 4)) > 5) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'the range may span at most 5 years' });
    }
  });

export type TotalsDimension = (typeof TOTALS_GROUP_BY)[number];

const yearParam = z
  .string()
  .regex(/^\d{4}$/, 'must be a year such as 2021')
  .transform(Number);

export const TotalsQuerySchema = z
  .strictObject({
    groupBy: z
      .string()
      .transform((value, ctx) => {
        const parts = value
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        for (const part of parts) {
          if (!(TOTALS_GROUP_BY as readonly string[]).includes(part)) {
            ctx.addIssue({
              code: 'custom',
              message: `${part} is not a grouping; use ${TOTALS_GROUP_BY.join(', ')}`,
            });
            return z.NEVER;
          }
        }
        if (new Set(parts).size !== parts.length) {
          ctx.addIssue({ code: 'custom', message: 'names a grouping twice' });
          return z.NEVER;
        }
        return parts as TotalsDimension[];
      })
      .optional(),
    forvaltning: ForvaltningSchema.optional(),
    programme: ProgrammeSchema.optional(),
    funderType: FunderTypeSchema.optional(),
    status: GrantStatusSchema.optional(),
    from: yearParam.optional(),
    to: yearParam.optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .superRefine((query, ctx) => {
    if (query.from !== undefined && query.to !== undefined && query.to < query.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
    }
  });

/** What a feed token may show: one forvaltning's calendar, one grant's, or (omitted) all. */
export const FeedTokenRequestSchema = z
  .strictObject({
    forvaltning: ForvaltningSchema.optional(),
    grantId: z
      .string()
      .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a grant id')
      .optional(),
    label: z.string().trim().min(1).max(100).optional(),
  })
  .refine((r) => !(r.forvaltning && r.grantId), { message: 'name a forvaltning or a grant, not both' });

/** What the feed may be narrowed to, besides the token (which is checked first, for a 401). */
export const CalendarFeedQuerySchema = z
  .strictObject({
    token: z.string().max(200).optional().meta({ description: 'The read-only feed token' }),
    forvaltning: ForvaltningSchema.optional(),
    grantId: z
      .string()
      .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a grant id')
      .optional(),
  })
  .refine((q) => !(q.forvaltning && q.grantId), { message: 'name a forvaltning or a grant, not both' });

/** The signed token of a weekly digest's unsubscribe link (RFC 8058). */
export const UnsubscribeQuerySchema = z.strictObject({
  token: z
    .string()
    .min(1)
    .max(500)
    .meta({ description: 'The token the digest e-mail’s link carries, signed for its address' }),
});
