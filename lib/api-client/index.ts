import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

/**
 * The typed client of the funding tracker's HTTP API, generated from its OpenAPI document
 * (`npm run api:generate`): paths, parameters, bodies and responses are the document's own types.
 * It runs in the browser and in Node (fetch only). Used by the web application and the importer.
 */

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type Grant = Schemas['Grant'];
export type GrantInput = Schemas['GrantInput'];
export type GrantPatch = Schemas['GrantPatch'];
export type GrantPage = Schemas['GrantPage'];
export type Payment = Schemas['Payment'];
export type PaymentInput = Schemas['PaymentInput'];
export type Deadline = Schemas['Deadline'];
export type DeadlineInput = Schemas['DeadlineInput'];
export type DeadlineListItem = Schemas['DeadlineListItem'];
export type TotalsReport = Schemas['TotalsReport'];
export type IssuedFeedToken = Schemas['IssuedFeedToken'];
export type Money = Schemas['Money'];
export type Problem = Schemas['Problem'];

export type ApiClient = Client<paths>;

export interface RetryOptions {
  /** Retries after the first attempt; 0 turns retrying off. Default 3. */
  readonly retries?: number;
  /** The longest wait before one retry. A Retry-After beyond it is honoured by not retrying. Default 10 s. */
  readonly maxDelayMs?: number;
  /** The first backoff when the answer names no Retry-After; doubled on each retry. Default 250 ms. */
  readonly baseDelayMs?: number;
  /** How to wait; tests pass one that does not. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** 0 ≤ r < 1 for jitter; tests pass a fixed one. */
  readonly random?: () => number;
}

export interface ApiClientOptions {
  /** The API's origin (and base path, if any), e.g. `http://127.0.0.1:3000` or `https://tilskud.kk.dk`. */
  readonly baseUrl: string;
  /** The bearer token for the next request, or undefined for none (public routes). */
  readonly getToken: () => string | undefined | Promise<string | undefined>;
  readonly fetch?: (request: Request) => Promise<Response>;
  readonly retry?: RetryOptions;
}

const RETRY_STATUSES = new Set([429, 503]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * A 429 was refused before anything happened, so it is always retried. A 503 may come after a
 * write started (the store timed out, and the change may have been saved), so it is retried only
 * where a repeat cannot apply a change twice: a safe or idempotent method, or a change guarded by
 * If-Match (a repeat of one that was saved gets 412). An Idempotency-Key is not enough: its record
 * may be what the store failed to keep.
 */
export const isRetryable = (request: Request, status: number): boolean => {
  if (!RETRY_STATUSES.has(status)) return false;
  if (status === 429) return true;
  return SAFE_METHODS.has(request.method.toUpperCase()) || request.headers.has('If-Match');
};

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export const retryAfterMs = (value: string | null, now: number = Date.now()): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * openapi-fetch middleware: retries 429 and 503 (see isRetryable) a bounded number of times,
 * waiting what Retry-After says, else an exponential backoff with jitter. The last answer is
 * returned as it came, so the caller sees the problem document when retries run out.
 */
export const retryMiddleware = (
  fetchFn: (request: Request) => Promise<Response>,
  options: RetryOptions = {},
) => {
  const retries = options.retries ?? 3;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  // Bodies can be read once: each request is kept as sent, to be cloned for every retry.
  const pending = new Map<string, Request>();

  const middleware: Middleware = {
    onRequest: ({ request, id }) => {
      if (retries > 0) pending.set(id, request.clone());
    },
    onResponse: async ({ response, id }) => {
      const original = pending.get(id);
      pending.delete(id);
      if (!original) return undefined;
      let current = response;
      for (let attempt = 0; attempt < retries && isRetryable(original, current.status); attempt++) {
        const told = retryAfterMs(current.headers.get('Retry-After'));
        if (told !== undefined && told > maxDelayMs) break;
        const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
        await sleep(told ?? Math.round(backoff / 2 + (random() * backoff) / 2));
        // The answer given up on is not read further; its connection is freed.
        await current.body?.cancel();
        current = await fetchFn(original.clone());
      }
      return current === response ? undefined : current;
    },
    onError: ({ id }) => {
      pending.delete(id);
    },
  };
  return middleware;
};

/** Sends the caller's bearer token on every request that has one. */
const bearerMiddleware = (getToken: ApiClientOptions['getToken']): Middleware => ({
  onRequest: async ({ request }) => {
    const token = await getToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
});

export const createApiClient = (options: ApiClientOptions): ApiClient => {
  const fetchFn = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: fetchFn,
  });
  client.use(bearerMiddleware(options.getToken), retryMiddleware(fetchFn, options.retry));
  return client;
};

/** The problem document of a failed call, when the API sent one. */
export const problemOf = (error: unknown): Problem | undefined =>
  error !== null &&
  typeof error === 'object' &&
  typeof (error as Problem).status === 'number' &&
  typeof (error as Problem).title === 'string'
    ? (error as Problem)
    : undefined;
