import { type ApiClient, createApiClient, type operations, retryAfterMs, type Schemas } from '../api-client';
import type {
  ExpectedPaymentDto,
  ExpectedPaymentInput,
  GrantDto,
  GrantInput,
  GrantPatch,
  PaymentDto,
  PaymentInput,
} from '../domain/schemas';

/**
 * The grants API as the importer uses it, through the generated client (lib/api-client: the
 * OpenAPI document's own paths and types, 429/503 retried honouring Retry-After). On top of that,
 * requests that are safe to repeat (reads, and POST /grants with an Idempotency-Key) are repeated on
 * network errors and other 5xx; a PATCH or a payment whose answer was lost is not blindly repeated:
 * the caller checks the grant first (see run.ts), so a payment can never be recorded twice.
 * 401 and 403 end the import with a clear word.
 */

export interface Problem {
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

/** The API refused the request (4xx other than 401/403): the row's own fault, reported for the row. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The token is refused (401) or lacks the role (403): nothing further can succeed. */
export class AuthError extends Error {
  override name = 'AuthError';
}

/** The network failed or the API answered 5xx/429: the request may or may not have taken effect. */
export class TransientError extends Error {
  override name = 'TransientError';
}

export interface GrantsClient {
  /** Every grant (or those of one forvaltning and programme), page by page. */
  listGrants(onPage?: (count: number) => void, filter?: GrantFilter): Promise<GrantDto[]>;
  getGrant(grantId: string): Promise<GrantDto>;
  createGrant(input: GrantInput, idempotencyKey: string): Promise<GrantDto>;
  updateGrant(grantId: string, version: number, patch: GrantPatch): Promise<GrantDto>;
  recordPayment(grantId: string, payment: PaymentInput): Promise<PaymentDto>;
  addExpectedPayment(grantId: string, expected: ExpectedPaymentInput): Promise<ExpectedPaymentDto>;
}

export interface GrantFilter {
  readonly forvaltning?: string;
  readonly programme?: string;
}

export interface ClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch?: (request: Request) => Promise<Response>;
  /** Further attempts of a repeatable request after the first. */
  readonly retries?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What openapi-fetch hands back: the parsed body of a success or of a problem, and the response. */
interface Answer {
  readonly data?: unknown;
  readonly error?: unknown;
  readonly response: Response;
}

/**
 * The document's type of a body the domain's schema describes. They are the same JSON; the
 * document names the configured forvaltninger as an enum, the domain reads them from configuration.
 */
type Wire<Name extends keyof Schemas> = Schemas[Name];
type Query<Operation extends keyof operations> = NonNullable<operations[Operation]['parameters']['query']>;

export const createGrantsClient = (options: ClientOptions): GrantsClient => {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const retries = options.retries ?? 4;
  const backoffMs = options.backoffMs ?? 300;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  const api: ApiClient = createApiClient({
    baseUrl,
    getToken: () => options.token,
    // No request waits for ever: each attempt has its own deadline.
    fetch: (request) => baseFetch(new Request(request, { signal: AbortSignal.timeout(timeoutMs) })),
    retry: { sleep, baseDelayMs: backoffMs },
  });
  const createApi: ApiClient = createApiClient({
    baseUrl,
    getToken: () => options.token,
    fetch: (request) => baseFetch(new Request(request, { signal: AbortSignal.timeout(timeoutMs) })),
    retry: { retries: 0 },
  });

  /** Sends one call and sorts its answer into the importer's errors. */
  const send = async <T>(what: string, call: () => Promise<Answer>): Promise<T> => {
    let answer: Answer;
    try {
      answer = await call();
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message;
      throw new TransientError(`${what} failed: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
    }
    const { response } = answer;
    const problem =
      response.ok || !answer.error || typeof answer.error !== 'object'
        ? undefined
        : (answer.error as Problem);
    const detail = problem?.detail ? `: ${problem.detail}` : '';
    if (response.status === 401) {
      throw new AuthError(
        `The API at ${baseUrl} refused the token (401)${detail}. It is missing, expired or not issued for this API; with --data-dir a fresh one is made each run, with --api get a new one.`,
      );
    }
    if (response.status === 403) {
      throw new AuthError(
        `The token may not do this (403, ${what})${detail}. Importing needs a token with the lear-admin role.`,
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new TransientError(`${what} answered ${response.status}${detail}`);
    }
    if (!response.ok) {
      const text = typeof answer.error === 'string' ? ` ${answer.error}` : '';
      throw new ApiError(response.status, problem, `${response.status}${detail || text}`);
    }
    return answer.data as T;
  };

  /** Repeats a request that is safe to repeat while it fails transiently. */
  const repeatable = async <T>(request: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await request();
      } catch (error) {
        if (!(error instanceof TransientError) || attempt >= retries) throw error;
        await sleep(backoffMs * 2 ** attempt);
      }
    }
  };

  const getGrant = (grantId: string) =>
    repeatable(() =>
      send<GrantDto>(`GET /grants/${grantId}`, () =>
        api.GET('/grants/{grantId}', { params: { path: { grantId } } }),
      ),
    );

  return {
    listGrants: async (onPage, filter = {}) => {
      const grants: GrantDto[] = [];
      let cursor: string | undefined;
      do {
        const query = { limit: '100', ...filter, ...(cursor ? { cursor } : {}) } as Query<'listGrants'>;
        const page: { items: GrantDto[]; nextCursor: string | null } = await repeatable(() =>
          send('GET /grants', () => api.GET('/grants', { params: { query } })),
        );
        grants.push(...page.items);
        onPage?.(grants.length);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return grants;
    },
    getGrant,
    createGrant: async (input, idempotencyKey) => {
      // Sent once (but for 429, refused before anything happened): whether a create whose answer was
      // lost went through is for the caller to find out in the register before it sends it again
      // (run.ts), as the API's Idempotency-Key cannot always tell (its record can be lost with a 503).
      for (let attempt = 0; ; attempt += 1) {
        let throttledFor: number | undefined;
        const grant = await send<GrantDto>('POST /grants', async () => {
          const sent = await createApi.POST('/grants', {
            params: { header: { 'Idempotency-Key': idempotencyKey } },
            body: input as Wire<'GrantInput'>,
          });
          if (sent.response.status === 429) {
            throttledFor = retryAfterMs(sent.response.headers.get('Retry-After')) ?? backoffMs * 2 ** attempt;
          }
          return sent;
        }).catch((error: unknown) => {
          // 429 is refused before anything happened: safe to send again after the wait it names.
          if (throttledFor !== undefined && throttledFor <= 10_000 && attempt < retries) return undefined;
          // A new grant has no state to conflict with: a 409 means an earlier attempt with this key
          // is still being handled.
          if (error instanceof ApiError && error.status === 409) throw new TransientError(error.message);
          throw error;
        });
        if (grant) return grant;
        await sleep(throttledFor ?? 0);
      }
    },
    updateGrant: (grantId, version, patch) =>
      send<GrantDto>(`PATCH /grants/${grantId}`, () =>
        api.PATCH('/grants/{grantId}', {
          params: { path: { grantId }, header: { 'If-Match': `"${version}"` } },
          body: patch as Wire<'GrantPatch'>,
        }),
      ),
    addExpectedPayment: (grantId, expected) =>
      send<ExpectedPaymentDto>(`POST /grants/${grantId}/expected-payments`, () =>
        api.POST('/grants/{grantId}/expected-payments', { params: { path: { grantId } }, body: expected }),
      ),
    recordPayment: (grantId, payment) =>
      send<PaymentDto>(`POST /grants/${grantId}/payments`, () =>
        api.POST('/grants/{grantId}/payments', { params: { path: { grantId } }, body: payment }),
      ),
  };
};
