import { createGrantsClient, type GrantsClient } from '../../../../lib/import/api-client';

/**
 * The importer's port onto the API, for the signed-in person: the same client the command line
 * uses, so retries, idempotency keys and the read-back of lost answers are the CLI's own. The app
 * and the API share one origin.
 */
export const importClient = (token: string): GrantsClient =>
  createGrantsClient({ baseUrl: window.location.origin, token });
