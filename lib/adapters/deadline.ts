import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One deadline for all the store calls of an API request. The SDK clients (clients.ts) read it, the
 * API middleware (lib/api/app.ts) sets it; it lives apart so that the API imports no SDK client.
 */

const deadlines = new AsyncLocalStorage<number>();

/**
 * How long an API request may spend on the store in all, whatever number of calls it makes (a read
 * and a transaction, the ledger's retries of a transaction conflict, the idempotency records): the
 * "about 3 seconds" of PRODUCT.md 4. Each call gets what is left of it as its request timeout.
 */
export const REQUEST_DEADLINE_MS = 3_000;

/** Runs `work` with every store call made inside it bounded by one deadline `ms` from now. */
export const withStoreDeadline = <T>(ms: number, work: () => Promise<T>): Promise<T> =>
  deadlines.run(Date.now() + ms, work);

/** The milliseconds left of the current request's deadline; undefined outside one. */
export const storeTimeLeftMs = (): number | undefined => {
  const deadline = deadlines.getStore();
  return deadline === undefined ? undefined : deadline - Date.now();
};
