import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes items with BatchWriteItem, 25 to a call, `concurrency` calls in flight, retrying what
 * DynamoDB leaves unprocessed with backoff. Items come in chunks (an async iterable), so the
 * portfolio can be built while the previous chunk is being written.
 */
export const batchWrite = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  chunks: AsyncIterable<readonly Item[]> | Iterable<readonly Item[]>,
  options: { readonly concurrency: number; readonly onProgress?: (written: number) => void },
): Promise<{ written: number; calls: number; retries: number }> => {
  let written = 0;
  let calls = 0;
  let retries = 0;
  const inFlight = new Set<Promise<void>>();
  const writeBatch = async (batch: readonly Item[]) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) {
        retries++;
        await sleep(Math.min(2000, 25 * 2 ** attempt));
      }
      calls++;
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      const left = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      written += requests.length - left.length;
      requests = left;
    }
    options.onProgress?.(written);
  };
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i += 25) {
      const task = writeBatch(chunk.slice(i, i + 25)).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  return { written, calls, retries };
};

// ---- The HTTP load: many clients with a mixed workload against a running stack ----

/** What one client does next, weighted: mostly reads, as people and finance systems use the API. */
export const WORKLOAD_MIX = {
  'GET /grants': 20,
  'GET /grants/{grantId}': 25,
  'GET /totals': 15,
  'POST /grants': 15,
  'POST /grants/{grantId}/payments': 12,
  'POST /grants/{grantId}/deadlines': 6,
  'PATCH /grants/{grantId}/deadlines/{deadlineId}': 7,
} as const;
export type LoadRoute = keyof typeof WORKLOAD_MIX;
export const LOAD_ROUTES = Object.keys(WORKLOAD_MIX) as LoadRoute[];

export interface Outcome {
  readonly route: LoadRoute;
  /** The HTTP status; 0 when no answer came (connection refused or reset, or 30 s without one). */
  readonly status: number;
  /** performance.now() when the request was sent and when its answer was read. */
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Every write the API acknowledged with a 2xx, and the attempts that may or may not have landed. */
export interface Acknowledged {
  readonly grants: Set<string>;
  /** paymentId → grantId */
  readonly payments: Map<string, string>;
  /** deadlineId → its grant and every status change sent, in order, with whether it got a 2xx. */
  readonly deadlines: Map<
    string,
    { readonly grantId: string; readonly changes: { status: 'OPEN' | 'DONE'; acknowledged: boolean }[] }
  >;
  /** When the last acknowledgement about each grant, payment or deadline arrived (performance.now()), by id. */
  readonly at: Map<string, number>;
}

export interface WorkloadOptions {
  readonly apiUrl: string;
  readonly tokens: { readonly lear: string; readonly finance: string };
  readonly clients: number;
  /** Resolves when the clients should stop (after the request in hand). */
  readonly until: Promise<void>;
  readonly seed: number;
  /** The run's name in acronyms, so grants of different runs on one stack are told apart. */
  readonly label: string;
}

/** A small seeded generator (mulberry32), so every run draws the same sequence of operations. */
const seededRandom = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const FORVALTNINGER = ['OKF', 'KFF', 'TMF', 'BIF', 'BUF', 'SUF', 'SOF'] as const;

/** A grant big enough that the workload's payments never reach its ceiling. */
const grantBody = (acronym: string, forvaltning: string) => ({
  acronym,
  title: `Load run grant ${acronym}`,
  programme: 'INTERREG',
  forvaltning,
  role: 'PARTNER',
  status: 'ACTIVE',
  startDate: '2025-01-01',
  endDate: '2028-12-31',
  awarded: { amount: '10000000.00', currency: 'DKK' },
  projectLead: { name: 'Load run', email: 'load@kk.dk' },
});

/**
 * `clients` clients, each in a loop until `until`: draw an operation by WORKLOAD_MIX, send it, read
 * the answer. Writes go to the client's own grants, so what it was told is what should be there.
 * After a 503 or 429 a client pauses 250 ms (shorter than Retry-After, to see recovery as it happens).
 */
export const runWorkload = async (
  options: WorkloadOptions,
): Promise<{ outcomes: Outcome[]; acknowledged: Acknowledged }> => {
  const outcomes: Outcome[] = [];
  const acknowledged: Acknowledged = {
    grants: new Set(),
    payments: new Map(),
    deadlines: new Map(),
    at: new Map(),
  };
  let stopping = false;
  void options.until.then(() => {
    stopping = true;
  });
  const total = Object.values(WORKLOAD_MIX).reduce((a, b) => a + b, 0);

  const send = async (
    route: LoadRoute,
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    const startedAt = performance.now();
    let status = 0;
    let json: unknown;
    try {
      const response = await fetch(`${options.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      const text = await response.text();
      json = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
    } catch {
      status = 0;
    }
    outcomes.push({ route, status, startedAt, endedAt: performance.now() });
    if (status === 503 || status === 429 || status === 0) await sleep(250);
    return { status, json };
  };

  const client = async (n: number) => {
    const random = seededRandom(options.seed + n);
    const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
    const own: string[] = [];
    const ownDeadlines: string[] = [];
    let serial = 0;
    const draw = (): LoadRoute => {
      let r = random() * total;
      for (const route of LOAD_ROUTES) {
        r -= WORKLOAD_MIX[route];
        if (r < 0) return route;
      }
      return 'GET /grants';
    };
    while (!stopping) {
      let route = draw();
      if (own.length === 0 && route !== 'GET /grants' && route !== 'GET /totals') route = 'POST /grants';
      if (route === 'PATCH /grants/{grantId}/deadlines/{deadlineId}' && ownDeadlines.length === 0) {
        route = 'POST /grants/{grantId}/deadlines';
      }
      const grantId = pick(own) as string;
      switch (route) {
        case 'GET /grants': {
          const forvaltning = pick(FORVALTNINGER);
          await send(route, 'GET', `/grants?limit=20&forvaltning=${forvaltning}`, options.tokens.finance);
          break;
        }
        case 'GET /grants/{grantId}':
          await send(route, 'GET', `/grants/${grantId}`, options.tokens.finance);
          break;
        case 'GET /totals':
          await send(route, 'GET', '/totals?groupBy=forvaltning,year', options.tokens.finance);
          break;
        case 'POST /grants': {
          const acronym = `${options.label}-${n}-${serial++}`.slice(0, 40);
          const result = await send(
            route,
            'POST',
            '/grants',
            options.tokens.lear,
            grantBody(acronym, pick(FORVALTNINGER) as string),
          );
          if (result.status === 201) {
            const id = (result.json as { grantId: string }).grantId;
            own.push(id);
            acknowledged.grants.add(id);
            acknowledged.at.set(id, performance.now());
          }
          break;
        }
        case 'POST /grants/{grantId}/payments': {
          const result = await send(route, 'POST', `/grants/${grantId}/payments`, options.tokens.lear, {
            receivedOn: '2026-06-30',
            amount: { amount: '125.50', currency: 'DKK' },
            kind: 'INTERIM',
          });
          if (result.status === 201) {
            const paymentId = (result.json as { paymentId: string }).paymentId;
            acknowledged.payments.set(paymentId, grantId);
            acknowledged.at.set(paymentId, performance.now());
          }
          break;
        }
        case 'POST /grants/{grantId}/deadlines': {
          const result = await send(route, 'POST', `/grants/${grantId}/deadlines`, options.tokens.lear, {
            kind: 'MILESTONE',
            title: `Milestone ${serial++}`,
            dueOn: `2027-0${1 + Math.floor(random() * 9)}-15`,
          });
          if (result.status === 201) {
            const deadlineId = (result.json as { deadlineId: string }).deadlineId;
            ownDeadlines.push(deadlineId);
            acknowledged.deadlines.set(deadlineId, { grantId, changes: [] });
            acknowledged.at.set(deadlineId, performance.now());
          }
          break;
        }
        case 'PATCH /grants/{grantId}/deadlines/{deadlineId}': {
          const deadlineId = pick(ownDeadlines) as string;
          const deadline = acknowledged.deadlines.get(deadlineId);
          if (!deadline) break;
          const status = deadline.changes.at(-1)?.status === 'DONE' ? 'OPEN' : 'DONE';
          const change = { status, acknowledged: false } as {
            status: 'OPEN' | 'DONE';
            acknowledged: boolean;
          };
          deadline.changes.push(change);
          const result = await send(
            route,
            'PATCH',
            `/grants/${deadline.grantId}/deadlines/${deadlineId}`,
            options.tokens.lear,
            { status },
          );
          change.acknowledged = result.status === 200;
          if (change.acknowledged) acknowledged.at.set(deadlineId, performance.now());
          break;
        }
      }
    }
  };

  await Promise.all(Array.from({ length: options.clients }, (_, n) => client(n)));
  return { outcomes, acknowledged };
};

export interface RouteFigures {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** How many answers of each status. */
  readonly statuses: Record<string, number>;
}

/** Throughput and latency per route over a phase of `seconds`. */
export const routeFigures = (
  outcomes: readonly Outcome[],
  seconds: number,
): Record<LoadRoute, RouteFigures> =>
  Object.fromEntries(
    LOAD_ROUTES.map((route) => {
      const mine = outcomes.filter((o) => o.route === route);
      const latencies = mine.map((o) => o.endedAt - o.startedAt).sort((a, b) => a - b);
      const statuses: Record<string, number> = {};
      for (const o of mine) statuses[String(o.status)] = (statuses[String(o.status)] ?? 0) + 1;
      const at = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
      return [
        route,
        { requests: mine.length, perSecond: mine.length / seconds, p50Ms: at(50), p99Ms: at(99), statuses },
      ];
    }),
  ) as Record<LoadRoute, RouteFigures>;
