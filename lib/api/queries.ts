import { z } from 'zod';
import {
  DeadlineStatusSchema,
  ForvaltningSchema,
  GrantStatusSchema,
  IsoDateSchema,
  ProgrammeSchema,
} from '../domain/schemas';

/** Query strings of the API, validated like bodies: every failing parameter is named. */

export const GrantListQuerySchema = z.strictObject({
  forvaltning: ForvaltningSchema.optional(),
  programme: ProgrammeSchema.optional(),
  status: GrantStatusSchema.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'))
    .optional(),
  cursor: z.string().max(1000).optional(),
});

export const DeadlineListQuerySchema = z
  .strictObject({
    from: IsoDateSchema.optional(),
    to: IsoDateSchema.optional(),
    forvaltning: ForvaltningSchema.optional(),
    status: DeadlineStatusSchema.optional(),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && query.to < query.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
    }
    if (query.from && query.to && Number(query.to.slice(0, 4)) - Number(query.from.slice(0, 4)) > 5) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'the range may span at most 5 years' });
    }
  });
