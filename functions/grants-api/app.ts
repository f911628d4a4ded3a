import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createApiHandler, type RouteHandler } from '../../lib/api/app';
import { callerOf } from '../../lib/api/auth';
import {
  type ApiEvent,
  etagOf,
  ifMatchVersion,
  json,
  jsonBody,
  pathParameter,
  queryOf,
} from '../../lib/api/http';
import { DeadlineListQuerySchema, GrantListQuerySchema, HistoryQuerySchema } from '../../lib/api/queries';
import { BusinessRuleError, ConflictError } from '../../lib/domain/errors';
import {
  DeadlineInputSchema,
  DeadlinePatchSchema,
  ExpectedPaymentInputSchema,
  ExpectedPaymentPatchSchema,
  GrantInputSchema,
  GrantPatchSchema,
  PaymentInputSchema,
} from '../../lib/domain/schemas';
import { isSearch, onlyCallersDeadlines, searchGrants } from '../../lib/use-cases/grant-search';
import * as grants from '../../lib/use-cases/grants';
import type { Caller, GrantPorts } from '../../lib/use-cases/ports';

export interface GrantsApiDeps extends GrantPorts {
  readonly logger: Logger;
  readonly idempotencyStore: BasePersistenceLayer;
}

/** How long a repeated Idempotency-Key returns the first response. */
const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

const caller = (c: Caller | undefined): Caller => c as Caller;

/**
 * The grants API: register, read, list and change grants, record payments, plan expected payments,
 * manage deadlines, read a grant's history.
 * Each route parses its input, calls one use case and maps the result; nothing else happens here.
 */
export const createGrantsApi = (deps: GrantsApiDeps) => {
  // The first response to an Idempotency-Key is kept and returned again for the same key and
  // body; the same key with another body is refused. Requests without the header are not tracked.
  const registerOnce = makeIdempotent(
    async (event: ApiEvent, _context: Context) => {
      const input = jsonBody(event, GrantInputSchema);
      const grant = await grants.registerGrant(deps, input, callerOf(event));
      return json(201, grant, { Location: `/grants/${grant.grantId}`, ETag: etagOf(grant.version) });
    },
    {
      persistenceStore: deps.idempotencyStore,
      config: new IdempotencyConfig({
        eventKeyJmesPath: 'headers."idempotency-key"',
        payloadValidationJmesPath: 'body',
        expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
        throwOnNoIdempotencyKey: false,
      }),
    },
  );

  const handlers: Record<string, RouteHandler> = {
    registerGrant: async ({ event, context }) => {
      try {
        return await registerOnce(event, context);
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'IdempotencyValidationError') {
          throw new BusinessRuleError(
            'This Idempotency-Key was already used with a different body; use a new key for a new grant.',
          );
        }
        if (name === 'IdempotencyAlreadyInProgressError') {
          throw new ConflictError(
            'A request with this Idempotency-Key is still being handled; retry shortly.',
          );
        }
        throw error;
      }
    },

    listGrants: async ({ event }) => {
      const query = queryOf(event, GrantListQuerySchema);
      const limited = { ...query, limit: query.limit ?? 50 };
      return json(
        200,
        isSearch(limited) ? await searchGrants(deps, limited) : await grants.listGrants(deps, limited),
      );
    },

    getGrant: async ({ event }) => {
      const grant = await grants.getGrant(deps, pathParameter(event, 'grantId'));
      return json(200, grant, { ETag: etagOf(grant.version) });
    },

    updateGrant: async ({ event, caller: c }) => {
      const grantId = pathParameter(event, 'grantId');
      const version = ifMatchVersion(event);
      const patch = jsonBody(event, GrantPatchSchema);
      const grant = await grants.updateGrant(deps, grantId, patch, version, caller(c));
      return json(200, grant, { ETag: etagOf(grant.version) });
    },

    recordPayment: async ({ event, caller: c }) => {
      const grantId = pathParameter(event, 'grantId');
      const input = jsonBody(event, PaymentInputSchema);
      const payment = await grants.recordPayment(deps, grantId, input, caller(c));
      return json(201, payment, { Location: `/grants/${grantId}/payments/${payment.paymentId}` });
    },

    addDeadline: async ({ event, caller: c }) => {
      const grantId = pathParameter(event, 'grantId');
      const input = jsonBody(event, DeadlineInputSchema);
      const deadline = await grants.addDeadline(deps, grantId, input, caller(c));
      return json(201, deadline, { Location: `/grants/${grantId}/deadlines/${deadline.deadlineId}` });
    },

    setDeadlineStatus: async ({ event, caller: c }) => {
      const grantId = pathParameter(event, 'grantId');
      const deadlineId = pathParameter(event, 'deadlineId');
      const { status } = jsonBody(event, DeadlinePatchSchema);
      return json(200, await grants.setDeadlineStatus(deps, grantId, deadlineId, status, caller(c)));
    },

    addExpectedPayment: async ({ event, caller: c }) => {
      const grantId = pathParameter(event, 'grantId');
      const input = jsonBody(event, ExpectedPaymentInputSchema);
      const expected = await grants.addExpectedPayment(deps, grantId, input, caller(c));
      return json(201, expected, {
        Location: `/grants/${grantId}/expected-payments/${expected.expectedPaymentId}`,
      });
    },

    changeExpectedPayment: async ({ event, caller: c }) => {
      const grantId = pathParameter(event, 'grantId');
      const expectedPaymentId = pathParameter(event, 'expectedPaymentId');
      const patch = jsonBody(event, ExpectedPaymentPatchSchema);
      return json(
        200,
        await grants.changeExpectedPayment(deps, grantId, expectedPaymentId, patch, caller(c)),
      );
    },

    getHistory: async ({ event }) => {
      const grantId = pathParameter(event, 'grantId');
      const query = queryOf(event, HistoryQuerySchema);
      return json(200, await grants.getHistory(deps, grantId, { ...query, limit: query.limit ?? 50 }));
    },

    listDeadlines: async ({ event, caller: c }) => {
      const { mine, ...query } = queryOf(event, DeadlineListQuerySchema);
      const listed = await grants.listDeadlines(deps, { ...query, status: query.status ?? 'OPEN' });
      return json(200, mine === 'true' ? await onlyCallersDeadlines(deps, caller(c), listed.items) : listed);
    },
  };

  return createApiHandler('grants-api', handlers, deps.logger);
};
