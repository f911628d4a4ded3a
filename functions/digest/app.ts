import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import * as z from 'zod';
import { IsoDateSchema } from '../../lib/domain/schemas';
import {
  type DigestPorts,
  DigestRunFailed,
  type DigestRunSummary,
  sendWeeklyDigests,
} from '../../lib/use-cases/digest';

export interface DigestDeps extends DigestPorts {
  readonly logger: Logger;
}

/** The schedule sends `{}`; an operator may name a date, e.g. to send a week's digest late after an outage. */
const DigestRequestSchema = z.object({ today: IsoDateSchema.optional() }).loose();

/**
 * Invoked every Monday at 07:00 Europe/Copenhagen by EventBridge Scheduler. A run that could not send
 * every digest throws after sending the rest, so Lambda retries it (what was sent is not sent again)
 * and finally dead-letters it for an operator.
 */
export const createDigest = (deps: DigestDeps) =>
  middy<unknown, DigestRunSummary>().handler(async (event) => {
    const request = DigestRequestSchema.parse(event ?? {});
    try {
      const summary = await sendWeeklyDigests(deps, request.today);
      deps.logger.info('Weekly digest done', { ...summary });
      return summary;
    } catch (error) {
      if (error instanceof DigestRunFailed) {
        // Addresses are personal data: the log names how many failed and why, not who.
        deps.logger.error('Weekly digest incomplete', {
          ...error.summary,
          errors: [...new Set(error.failures.map((failure) => failure.error))],
        });
      }
      throw error;
    }
  });
