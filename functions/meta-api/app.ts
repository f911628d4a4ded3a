import type { Logger } from '@aws-lambda-powertools/logger';
import { RETRY_AFTER_SECONDS, storeFailureOf } from '../../lib/adapters/store-failures';
import { createApiHandler } from '../../lib/api/app';
import { json } from '../../lib/api/http';
import { buildOpenApi } from '../../lib/api/openapi';

export interface MetaApiDeps {
  readonly logger: Logger;
  /** Resolves once the store answers; rejects when it does not. */
  readonly ping: () => Promise<void>;
  /** The URL the document names as its server (PUBLIC_BASE_URL); the serving origin when absent. */
  readonly serverUrl?: string;
}

/** `/health` and `/openapi.json`: public, and cheap. */
export const createMetaApi = (deps: MetaApiDeps) => {
  let openapi: Record<string, unknown> | undefined;
  return createApiHandler(
    'meta-api',
    {
      health: async () => {
        try {
          await deps.ping();
          return json(200, { status: 'ok' });
        } catch (error) {
          // Whatever the cause, a store that does not answer a key lookup is not healthy: never a 500.
          deps.logger.warn('Store did not answer', { error: String(error) });
          const retryAfter = storeFailureOf(error)?.retryAfterSeconds ?? RETRY_AFTER_SECONDS.unavailable;
          return json(503, { status: 'unavailable' }, { 'Retry-After': String(retryAfter) });
        }
      },
      openapi: async () => {
        openapi ??= buildOpenApi(deps.serverUrl);
        return json(200, openapi);
      },
    },
    deps.logger,
  );
};
