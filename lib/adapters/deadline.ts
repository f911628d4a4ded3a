import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One deadline for all the store calls of an API request. The SDK clients (clients.ts) read it, the
 * API middleware (lib/api/app.ts) sets it; it lives apart so that the API imports no SDK client.
 */

const deadlines = new AsyncLocalStorage<number>();

/**
 * What an API request keeps back of its function's remaining time, so that it can still answer when
 * its store calls have used up the rest. A store that does not answer is given up on by the first
 * call, within that call's budget (2.5 s, clients.ts); a store that answers but keeps refusing
 * (transaction conflicts under contention, throttling) takes more calls, and those stop here, so
 * the caller gets a 503 problem document with Retry-After rather than Lambda's timeout. Each call
 * gets what is left of the deadline as its request timeout.
 */
export const DEADLINE_MARGIN_MS = 1_000;

/** Runs `work` with every store call made inside it bounded by one deadline `ms` from now. */
export const withStoreDeadline = <T>(ms: number, work: () => Promise<T>): Promise<T> =>
  deadlines.run(Date.now() + ms, work);

/** The milliseconds left of the current request's deadline; undefined outside one. */
export const storeTimeLeftMs = (): number | undefined => {
  const deadline = deadlines.getStore();
  return deadline === undefined ? undefined : deadline - Date.now();
};
