import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import * as z from 'zod';
import { IsoDateSchema } from '../../lib/domain/schemas';
import { type SweepPorts, type SweepSummary, sweepDeadlines } from '../../lib/use-cases/sweep';

export interface SweeperDeps extends SweepPorts {
  readonly logger: Logger;
}

/** The schedule sends `{}`; an operator may name a date to sweep, e.g. to catch up after an outage. */
const SweepRequestSchema = z.object({ today: IsoDateSchema.optional() }).loose();

/** Invoked daily at 06:00 Europe/Copenhagen by EventBridge Scheduler. */
export const createSweeper = (deps: SweeperDeps) =>
  middy<unknown, SweepSummary>().handler(async (event) => {
    const request = SweepRequestSchema.parse(event ?? {});
    const summary = await sweepDeadlines(deps, request.today);
    deps.logger.info('Sweep done', { ...summary });
    return summary;
  });
