import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { issueDevToken } from '../lib/local/dev-tokens';
import { localDynamoClient } from '../lib/local/dynamodb-local';
import type { StackInfo } from '../lib/local/stack-file';
import { type Acknowledged, type Outcome, routeFigures, runWorkload, WORKLOAD_MIX } from './load';
import { round } from './stats';
import { table } from './table';

/**
 * The load and fault run of `npm run bench` (PRODUCT.md 8): the local stack in its own process, as
 * `npm start` runs it, and `clients` clients with a mixed workload in this one.
 *
 * 1. Load: the workload for `loadSeconds`; then no 5xx, totals:verify without drift, every
 *    acknowledged write there.
 * 2. Faults: the same workload while DynamoDB Local is paused (SIGSTOP) for `pauseSeconds` and later
 *    killed once (SIGKILL; local mode starts it again by itself). Only 503/429 while it is away, the
 *    API back within seconds of the store, every acknowledged write there and every one of its events
 *    on the bus (DIR/events.jsonl), totals exact.
 */

export interface LoadFaultOptions {
  readonly clients: number;
  readonly loadSeconds: number;
  readonly pauseSeconds: number;
  /** Fault phase: the pause starts after this many seconds, the kill this many seconds after it ends. */
  readonly faultDelaySeconds: number;
  /** How long the workload goes on after the store is back from the kill. */
  readonly afterKillSeconds: number;
  readonly log: (line: string) => void;
}

export interface PhaseResult {
  readonly seconds: number;
  readonly requests: number;
  readonly statuses: Record<string, number>;
  readonly routes: ReturnType<typeof routeFigures>;
  readonly acknowledgedWrites: number;
  readonly lostWrites: readonly string[];
  readonly lostEvents: readonly string[];
  readonly totalsDrift: number;
}

export interface FaultWindow {
  readonly fault: 'pause' | 'kill';
  /** Seconds from the start of the phase. */
  readonly startedAt: number;
  readonly storeBackAt: number;
  /** From the store answering again to the last 503/429/no answer of a request sent after that. */
  readonly recoverySeconds: number;
  readonly answersWhileAway: Record<string, number>;
}

export interface LoadFaultResult {
  readonly mix: typeof WORKLOAD_MIX;
  readonly clients: number;
  readonly load: PhaseResult;
  readonly fault: PhaseResult & { readonly windows: readonly FaultWindow[] };
}

export interface RunningStack extends StackInfo {
  readonly dataDir: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** The local stack in its own process, exactly as `npm start` runs it (a fresh data dir, `--no-seed`). */
export const startStack = async (dataDir: string): Promise<RunningStack> => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'lib/local/cli/start.ts', '--data-dir', dataDir, '--port', '0', '--no-seed'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The stack exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The stack did not start within 120 s:\n${output}`);
    }
    const info = JSON.parse(
      await readFile(join(dataDir, 'stack.json'), 'utf8').catch(() => '{}'),
    ) as Partial<StackInfo>;
    if (info.apiUrl && info.dynamodbEndpoint && info.eventBusEndpoint && output.includes('Ctrl-C stops')) {
      return {
        apiUrl: info.apiUrl,
        dynamodbEndpoint: info.dynamodbEndpoint,
        eventBusEndpoint: info.eventBusEndpoint,
        dataDir,
        child,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await sleep(250);
  }
};

const dynamoPid = async (dataDir: string) =>
  Number((await readFile(join(dataDir, 'dynamodb.pid'), 'utf8').catch(() => '')).trim());

/** Resolves once DynamoDB Local answers again, under a pid other than `oldPid` when one is given. */
const storeAnswers = async (stack: RunningStack, oldPid?: number): Promise<void> => {
  const client = localDynamoClient(stack.dynamodbEndpoint);
  try {
    for (;;) {
      if (oldPid === undefined || ((await dynamoPid(stack.dataDir)) || oldPid) !== oldPid) {
        try {
          await client.send(new ListTablesCommand({ Limit: 1 }));
          return;
        } catch {
          // not yet
        }
      }
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
};

/**
 * totals:verify once DynamoDB Local has worked off what the clients gave up on: it reads the grants
 * and the totals one after the other, so a write still landing in between shows as drift that the
 * next run does not see. Up to four runs, 5 s apart; the last one's drift.
 */
const settledTotalsDrift = async (dataDir: string, log: (line: string) => void): Promise<number> => {
  let drift = 0;
  for (let run = 1; run <= 4; run++) {
    drift = await totalsDrift(dataDir);
    if (drift === 0) return 0;
    log(`totals:verify: drift ${drift} (run ${run}); writes may still be landing`);
    if (run < 4) await sleep(5_000);
  }
  return drift;
};

/** totals:verify against the running stack, as an operator runs it; the drift it prints. */
const totalsDrift = (dataDir: string): Promise<number> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'lib/local/cli/totals-verify.ts', '--data-dir', dataDir],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve((JSON.parse(line) as { drift: number }).drift);
        } catch {
          reject(new Error(`totals:verify gave no summary: ${error?.message ?? stdout}`));
        }
      },
    );
  });

interface GrantRead {
  readonly payments: readonly { paymentId: string }[];
  readonly deadlines: readonly { deadlineId: string; status: string }[];
}

/** Every acknowledged write read back through the API; what is missing or wrong, by name. */
/**
 * How long failures went on after the store was back (ms, from `storeBackAt`): to the end of the
 * last failed request sent after it and answered before the next fault began. A request still
 * waiting when the next fault struck is that fault's, whatever it was answered.
 */
export const recoveryMs = (
  outcomes: readonly Pick<Outcome, 'status' | 'startedAt' | 'endedAt'>[],
  storeBackAt: number,
  nextFaultAt: number = Number.POSITIVE_INFINITY,
): number => {
  const late = outcomes.filter(
    (o) => o.startedAt >= storeBackAt && o.endedAt < nextFaultAt && isFailure(o.status),
  );
  return Math.max(storeBackAt, ...late.map((o) => o.endedAt)) - storeBackAt;
};

/**
 * Acknowledged writes that are not there (or a deadline whose status is none it could have). With
 * `killAt`, each says when its acknowledgement arrived relative to the kill -9: DynamoDB Local
 * itself can lose a transaction it acknowledged a few milliseconds before it was killed
 * (`npm run bench:store-kill`), which a write acknowledged seconds before cannot be blamed on.
 */
const lostWrites = async (
  apiUrl: string,
  token: string,
  acknowledged: Acknowledged,
  killAt?: number,
): Promise<string[]> => {
  const grantIds = new Set([
    ...acknowledged.grants,
    ...acknowledged.payments.values(),
    ...[...acknowledged.deadlines.values()].map((d) => d.grantId),
  ]);
  const grants = new Map<string, GrantRead | undefined>();
  const ids = [...grantIds];
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(
      ids.slice(i, i + 10).map(async (grantId) => {
        for (let attempt = 0; ; attempt++) {
          const response = await fetch(`${apiUrl}/grants/${grantId}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          if (response.status === 200) {
            grants.set(grantId, (await response.json()) as GrantRead);
            return;
          }
          if (response.status !== 503 && response.status !== 429) break;
          if (attempt > 20) break;
          await sleep(500);
        }
        grants.set(grantId, undefined);
      }),
    );
  }
  const lost: string[] = [];
  const missing = (what: string, id: string) => {
    const at = acknowledged.at.get(id);
    if (at === undefined || killAt === undefined) return lost.push(what);
    const ms = Math.round(killAt - at);
    return lost.push(`${what}, acknowledged ${Math.abs(ms)} ms ${ms >= 0 ? 'before' : 'after'} the kill -9`);
  };
  for (const grantId of acknowledged.grants) if (!grants.get(grantId)) missing(`grant ${grantId}`, grantId);
  for (const [paymentId, grantId] of acknowledged.payments) {
    if (!grants.get(grantId)?.payments.some((p) => p.paymentId === paymentId))
      missing(`payment ${paymentId}`, paymentId);
  }
  for (const [deadlineId, { grantId, changes }] of acknowledged.deadlines) {
    const found = grants.get(grantId)?.deadlines.find((d) => d.deadlineId === deadlineId);
    if (!found) {
      missing(`deadline ${deadlineId}`, deadlineId);
      continue;
    }
    // The last acknowledged status, or one sent after it that landed although its answer did not arrive.
    const lastAcknowledged = changes.map((c) => c.acknowledged).lastIndexOf(true);
    const possible = new Set([
      lastAcknowledged < 0 ? 'OPEN' : changes[lastAcknowledged]?.status,
      ...changes.slice(lastAcknowledged + 1).map((c) => c.status),
    ]);
    if (!possible.has(found.status as 'OPEN' | 'DONE'))
      missing(`deadline ${deadlineId} status ${found.status}`, deadlineId);
  }
  return lost;
};

/** Acknowledged writes whose event is not (yet) on the bus: waits up to `waitMs` for the pipeline to catch up. */
const lostEvents = async (dataDir: string, acknowledged: Acknowledged, waitMs: number): Promise<string[]> => {
  const expected = new Map<string, string>();
  for (const grantId of acknowledged.grants) expected.set(`GrantRegistered ${grantId}`, grantId);
  for (const paymentId of acknowledged.payments.keys())
    expected.set(`PaymentRecorded ${paymentId}`, paymentId);
  for (const [deadlineId, { changes }] of acknowledged.deadlines) {
    expected.set(`DeadlineAdded ${deadlineId}`, deadlineId);
    if (changes.some((c) => c.acknowledged && c.status === 'DONE')) {
      expected.set(`DeadlineCompleted ${deadlineId}`, deadlineId);
    }
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const seen = new Set<string>();
    const lines = (await readFile(join(dataDir, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean);
    for (const line of lines) {
      const entry = JSON.parse(line) as { DetailType: string; Detail: string };
      const detail = JSON.parse(entry.Detail) as {
        grant: { grantId: string };
        payment?: { paymentId: string };
        deadline?: { deadlineId: string };
      };
      const id = detail.payment?.paymentId ?? detail.deadline?.deadlineId ?? detail.grant.grantId;
      seen.add(`${entry.DetailType} ${id}`);
    }
    const missing = [...expected.keys()].filter((key) => !seen.has(key));
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await sleep(500);
  }
};

const countStatuses = (outcomes: readonly Outcome[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1;
  return counts;
};

const writesOf = (a: Acknowledged) =>
  a.grants.size +
  a.payments.size +
  a.deadlines.size +
  [...a.deadlines.values()].reduce((n, d) => n + d.changes.filter((c) => c.acknowledged).length, 0);

const SETTLE_MS = 3_000;

const isFailure = (status: number) => status === 503 || status === 429 || status === 0;

export const runLoadAndFaults = async (options: LoadFaultOptions): Promise<LoadFaultResult> => {
  const { log } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'funding-tracker-bench-load-'));
  const stack = await startStack(dataDir);
  try {
    const tokens = {
      lear: await issueDevToken(dataDir, { email: 'lear@kk.dk', roles: ['lear-admin'] }),
      finance: await issueDevToken(dataDir, { email: 'finance@kk.dk', roles: ['finance'] }),
    };

    // ---- 1. Load ----
    log(`load: ${options.clients} clients for ${options.loadSeconds} s against ${stack.apiUrl}`);
    const loadStarted = performance.now();
    const load = await runWorkload({
      apiUrl: stack.apiUrl,
      tokens,
      clients: options.clients,
      until: sleep(options.loadSeconds * 1000),
      seed: 1,
      label: 'LOAD',
    });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    // Requests a client gave up on may still be in DynamoDB Local's queue: let them land first.
    await sleep(SETTLE_MS);
    log(`load: ${load.outcomes.length} requests; reading every acknowledged write back`);
    const loadLost = await lostWrites(stack.apiUrl, tokens.finance, load.acknowledged);
    const loadLostEvents = await lostEvents(dataDir, load.acknowledged, 60_000);
    const loadDrift = await settledTotalsDrift(dataDir, log);

    // ---- 2. Faults ----
    const windows: { fault: 'pause' | 'kill'; startedAt: number; storeBackAt: number }[] = [];
    const faultStarted = performance.now();
    let endFaultPhase: () => void = () => undefined;
    const faultPhaseOver = new Promise<void>((resolve) => {
      endFaultPhase = resolve;
    });
    const faults = (async () => {
      await sleep(options.faultDelaySeconds * 1000);
      const pausedPid = await dynamoPid(dataDir);
      log(`faults: kill -STOP ${pausedPid} (DynamoDB Local) for ${options.pauseSeconds} s`);
      const pauseAt = performance.now();
      process.kill(pausedPid, 'SIGSTOP');
      await sleep(options.pauseSeconds * 1000);
      process.kill(pausedPid, 'SIGCONT');
      windows.push({ fault: 'pause', startedAt: pauseAt, storeBackAt: performance.now() });
      await sleep(options.faultDelaySeconds * 1000);
      const killedPid = await dynamoPid(dataDir);
      log(`faults: kill -9 ${killedPid} (DynamoDB Local); local mode starts it again`);
      const killAt = performance.now();
      process.kill(killedPid, 'SIGKILL');
      await storeAnswers(stack, killedPid);
      const backAt = performance.now();
      log(`faults: DynamoDB Local answers again after ${round((backAt - killAt) / 1000, 1)} s`);
      windows.push({ fault: 'kill', startedAt: killAt, storeBackAt: backAt });
      await sleep(options.afterKillSeconds * 1000);
      endFaultPhase();
    })();
    const fault = await runWorkload({
      apiUrl: stack.apiUrl,
      tokens,
      clients: options.clients,
      until: faultPhaseOver,
      seed: 2,
      label: 'FAULT',
    });
    await faults;
    const faultSeconds = (performance.now() - faultStarted) / 1000;
    await sleep(SETTLE_MS);
    log(`faults: ${fault.outcomes.length} requests; reading every acknowledged write back`);
    const killAt = windows.find((w) => w.fault === 'kill')?.startedAt;
    const faultLost = await lostWrites(stack.apiUrl, tokens.finance, fault.acknowledged, killAt);
    const faultLostEvents = await lostEvents(dataDir, fault.acknowledged, 60_000);
    const faultDrift = await settledTotalsDrift(dataDir, log);

    const faultWindows: FaultWindow[] = windows.map((w, i) => {
      const nextFault = windows[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY;
      return {
        fault: w.fault,
        startedAt: round((w.startedAt - faultStarted) / 1000, 1),
        storeBackAt: round((w.storeBackAt - faultStarted) / 1000, 1),
        recoverySeconds: round(recoveryMs(fault.outcomes, w.storeBackAt, nextFault) / 1000, 2),
        answersWhileAway: countStatuses(
          fault.outcomes.filter((o) => o.endedAt >= w.startedAt && o.startedAt <= w.storeBackAt),
        ),
      };
    });

    return {
      mix: WORKLOAD_MIX,
      clients: options.clients,
      load: {
        seconds: round(loadSeconds, 1),
        requests: load.outcomes.length,
        statuses: countStatuses(load.outcomes),
        routes: routeFigures(load.outcomes, loadSeconds),
        acknowledgedWrites: writesOf(load.acknowledged),
        lostWrites: loadLost,
        lostEvents: loadLostEvents,
        totalsDrift: loadDrift,
      },
      fault: {
        seconds: round(faultSeconds, 1),
        requests: fault.outcomes.length,
        statuses: countStatuses(fault.outcomes),
        routes: routeFigures(fault.outcomes, faultSeconds),
        acknowledgedWrites: writesOf(fault.acknowledged),
        lostWrites: faultLost,
        lostEvents: faultLostEvents,
        totalsDrift: faultDrift,
        windows: faultWindows,
      },
    };
  } catch (error) {
    log(`load/faults: the stack said:\n${stack.output().split('\n').slice(-30).join('\n')}`);
    throw error;
  } finally {
    const pid = await dynamoPid(dataDir);
    if (pid) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};

/** The run's tables, and the fields it adds to the last JSON line. */
export const reportLoadAndFaults = (result: LoadFaultResult, out: (line: string) => void) => {
  const mixTotal = Object.values(result.mix).reduce((a, b) => a + b, 0);
  const statusText = (statuses: Record<string, number>) =>
    Object.entries(statuses)
      .sort()
      .map(([status, n]) => `${status === '0' ? 'no answer' : status} × ${n}`)
      .join(', ');
  for (const [name, phase] of [
    ['Load', result.load],
    ['Faults', result.fault],
  ] as const) {
    out(
      table(
        `${name}: ${result.clients} clients for ${phase.seconds} s through the local stack (${phase.requests.toLocaleString('en-US')} requests; latency ms)`,
        [
          ['route', 'mix %', 'requests', 'per s', 'p50', 'p99', 'answers'],
          ...Object.entries(phase.routes).map(([route, f]) => [
            route,
            round((100 * result.mix[route as keyof typeof result.mix]) / mixTotal, 0),
            f.requests,
            round(f.perSecond, 1),
            round(f.p50Ms, 1),
            round(f.p99Ms, 1),
            statusText(f.statuses),
          ]),
        ],
      ),
    );
    out(
      `${name}: ${phase.acknowledgedWrites} writes acknowledged, ${phase.lostWrites.length} missing afterwards, ${phase.lostEvents.length} without their event on the bus; totals:verify drift ${phase.totalsDrift}.`,
    );
    for (const missing of [...phase.lostWrites, ...phase.lostEvents].slice(0, 10))
      out(`  missing: ${missing}`);
  }
  out(
    table('Faults: DynamoDB Local paused, then killed (local mode starts it again)', [
      ['fault', 'at s', 'store back at s', 'recovery s', 'answers while it was away'],
      ...result.fault.windows.map((w) => [
        w.fault === 'pause' ? 'kill -STOP, then -CONT' : 'kill -9',
        w.startedAt,
        w.storeBackAt,
        w.recoverySeconds,
        statusText(w.answersWhileAway),
      ]),
    ]),
  );
  const count = (statuses: Record<string, number>, test: (status: number) => boolean) =>
    Object.entries(statuses).reduce((n, [status, k]) => (test(Number(status)) ? n + k : n), 0);
  return {
    loadRequests: result.load.requests,
    load5xx: count(result.load.statuses, (s) => s >= 500),
    loadTotalsDrift: result.load.totalsDrift,
    loadLostWrites: result.load.lostWrites.length,
    faultRequests: result.fault.requests,
    fault500s: count(result.fault.statuses, (s) => s >= 500 && s !== 503),
    faultNoAnswer: count(result.fault.statuses, (s) => s === 0),
    fault503s: count(result.fault.statuses, (s) => s === 503),
    fault429s: count(result.fault.statuses, (s) => s === 429),
    faultRecoverySeconds: Math.max(...result.fault.windows.map((w) => w.recoverySeconds)),
    faultLostWrites: result.fault.lostWrites.length,
    faultLostEvents: result.fault.lostEvents.length,
    faultTotalsDrift: result.fault.totalsDrift,
  };
};
