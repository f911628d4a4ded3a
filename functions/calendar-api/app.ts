import type { Logger } from '@aws-lambda-powertools/logger';
import { createApiHandler, type RouteHandler } from '../../lib/api/app';
import {
  type ApiResult,
  json,
  jsonBody,
  pathParameter,
  SECURITY_HEADERS,
  validate,
} from '../../lib/api/http';
import { CalendarFeedQuerySchema, FeedTokenRequestSchema } from '../../lib/api/queries';
import {
  authenticateFeedToken,
  type CalendarPorts,
  issueFeedToken,
  readFeed,
  revokeFeedToken,
} from '../../lib/use-cases/calendar';
import type { Caller } from '../../lib/use-cases/ports';

export interface CalendarApiDeps extends CalendarPorts {
  readonly logger: Logger;
  /** Where this deployment is reached (PUBLIC_BASE_URL): feed URLs must work exactly as returned. */
  readonly publicBaseUrl: string;
}

const caller = (c: Caller | undefined): Caller => c as Caller;

const calendar = (body: string): ApiResult => ({
  statusCode: 200,
  headers: {
    'Content-Type': 'text/calendar; charset=utf-8',
    'Content-Disposition': 'inline; filename="funding-tracker.ics"',
    ...SECURITY_HEADERS,
  },
  body,
});

/**
 * The calendar API: feed tokens for signed-in users, and the feed itself for calendar clients,
 * which authenticate with the token in the query string. The token is never logged; its id is.
 */
export const createCalendarApi = (deps: CalendarApiDeps) => {
  const handlers: Record<string, RouteHandler> = {
    issueFeedToken: async ({ event, caller: c }) => {
      const request = jsonBody(event, FeedTokenRequestSchema);
      const issued = await issueFeedToken(deps, request, caller(c), `${deps.publicBaseUrl}/calendar.ics`);
      deps.logger.info('Feed token issued', { tokenId: issued.tokenId, scope: issued.scope });
      return json(201, issued, { Location: `/calendar/feed-tokens/${issued.tokenId}` });
    },

    revokeFeedToken: async ({ event, caller: c }) => {
      const tokenId = pathParameter(event, 'tokenId');
      await revokeFeedToken(deps, tokenId, caller(c));
      deps.logger.info('Feed token revoked', { tokenId });
      return { statusCode: 204, headers: { ...SECURITY_HEADERS } };
    },

    calendarFeed: async ({ event }) => {
      const { token, ...query } = event.queryStringParameters ?? {};
      const record = await authenticateFeedToken(deps, token);
      deps.logger.appendKeys({ feedTokenId: record.tokenId });
      const narrowed = validate(CalendarFeedQuerySchema, query, 'query string');
      return calendar(await readFeed(deps, record.scope, narrowed));
    },
  };

  return createApiHandler('calendar-api', handlers, deps.logger);
};
