import type { GrantDto, GrantInput, GrantPatch, PaymentDto, PaymentInput } from '../domain/schemas';

/**
 * The grants API as the importer uses it, over fetch. Requests that are safe to repeat (reads, and
 * POST /grants with an Idempotency-Key) are retried on network errors, 5xx and 429; a PATCH or a
 * payment whose answer was lost is not blindly repeated: the caller checks the grant first (see
 * run.ts), so a payment can never be recorded twice. 401 and 403 end the import with a clear word.
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
  listGrants(onPage?: (count: number) => void): Promise<GrantDto[]>;
  getGrant(grantId: string): Promise<GrantDto>;
  createGrant(input: GrantInput, idempotencyKey: string): Promise<GrantDto>;
  updateGrant(grantId: string, version: number, patch: GrantPatch): Promise<GrantDto>;
  recordPayment(grantId: string, payment: PaymentInput): Promise<PaymentDto>;
}

export interface ClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch?: typeof fetch;
  /** Further attempts of a repeatable request after the first. */
  readonly retries?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const parseProblem = (text: string): Problem | undefined => {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Problem) : undefined;
  } catch {
    return undefined;
  }
};

export const createGrantsClient = (options: ClientOptions): GrantsClient => {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const retries = options.retries ?? 4;
  const backoffMs = options.backoffMs ?? 300;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;

  const send = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> => {
    const what = `${method} ${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message;
      throw new TransientError(`${what} failed: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
    }
    const problem = response.ok ? undefined : parseProblem(text);
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
    if (!response.ok)
      throw new ApiError(response.status, problem, `${response.status}${detail || ` ${text}`}`);
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      throw new TransientError(`${what} answered ${response.status} with a body that is not JSON`);
    }
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

  return {
    listGrants: async (onPage) => {
      const grants: GrantDto[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/grants?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = (await repeatable(() => send('GET', query))) as {
          items: GrantDto[];
          nextCursor: string | null;
        };
        grants.push(...page.items);
        onPage?.(grants.length);
        cursor = page.nextCursor;
      } while (cursor);
      return grants;
    },
    getGrant: async (grantId) =>
      (await repeatable(() => send('GET', `/grants/${encodeURIComponent(grantId)}`))) as GrantDto,
    createGrant: async (input, idempotencyKey) => {
      let attempts = 0;
      return (await repeatable(async () => {
        attempts += 1;
        try {
          return await send('POST', '/grants', input, { 'idempotency-key': idempotencyKey });
        } catch (error) {
          // A repeat that finds the first attempt still in progress is told 409: wait and ask again.
          if (attempts > 1 && error instanceof ApiError && error.status === 409) {
            throw new TransientError(error.message);
          }
          throw error;
        }
      })) as GrantDto;
    },
    updateGrant: async (grantId, version, patch) =>
      (await send('PATCH', `/grants/${encodeURIComponent(grantId)}`, patch, {
        'if-match': `"${version}"`,
      })) as GrantDto,
    recordPayment: async (grantId, payment) =>
      (await send('POST', `/grants/${encodeURIComponent(grantId)}/payments`, payment)) as PaymentDto,
  };
};
