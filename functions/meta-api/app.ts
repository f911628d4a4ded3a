import type { Logger } from '@aws-lambda-powertools/logger';
import { createApiHandler } from '../../lib/api/app';
import { json } from '../../lib/api/http';
import { buildOpenApi } from '../../lib/api/openapi';

export interface MetaApiDeps {
  readonly logger: Logger;
  /** Resolves once the store answers; rejects when it does not. */
  readonly ping: () => Promise<void>;
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
          deps.logger.warn('Store did not answer', { error: error as Error });
          return json(503, { status: 'unavailable' }, { 'Retry-After': '5' });
        }
      },
      openapi: async () => {
        openapi ??= buildOpenApi();
        return json(200, openapi);
      },
    },
    deps.logger,
  );
};
