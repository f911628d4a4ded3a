import { setTimeout as delay } from 'node:timers/promises';

/**
 * Local mode's supervisor: what `npm start` started, it starts again when it dies on its own, with
 * backoff and a log line each time, until the stack is stopped. (In AWS the services keep themselves
 * running; locally a DynamoDB Local that crashed or was killed would otherwise stay down until the
 * next `npm start`.)
 */

export interface SupervisedOptions<T> {
  /** In log lines: "DynamoDB Local". */
  readonly name: string;
  /** In the log line of a restart: what happens while it is down (default: the API answers 503). */
  readonly meanwhile?: string;
  /** Starts a new instance; rejects when it could not. */
  readonly start: () => Promise<T>;
  /** Resolves when the instance has ended, with how ("signal SIGKILL"). */
  readonly exited: (instance: T) => Promise<string>;
  /** Ends an instance on purpose (the stack is stopping). */
  readonly stop: (instance: T) => Promise<void>;
  /** Runs after every restart, before the instance counts as up (e.g. to record its pid). */
  readonly onRestart?: (instance: T) => Promise<void>;
  /** The first wait before a restart, doubling after each failed attempt up to `maxMs`. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** An instance that stayed up this long resets the backoff. */
  readonly stableAfterMs?: number;
  readonly log: (line: string) => void;
}

export interface Supervised<T> {
  /** The instance running now (the last one started, while a restart is under way). */
  readonly current: T;
  /** How many times the instance was started again. */
  readonly restarts: number;
  /** Resolves the next time an instance is back up after a restart. For tests and benchmarks. */
  nextRestart(): Promise<T>;
  /** Stops supervising, then the running instance. */
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF = { baseMs: 250, maxMs: 10_000 };

/** Starts the first instance (its failure is the caller's), then keeps one running. */
export const supervise = async <T>(options: SupervisedOptions<T>): Promise<Supervised<T>> => {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const stableAfterMs = options.stableAfterMs ?? 30_000;
  let current = await options.start();
  let restarts = 0;
  let stopping = false;
  const stopSignal = new AbortController();
  let waiters: ((instance: T) => void)[] = [];

  const keepRunning = async () => {
    // Consecutive quick deaths (or failed starts) double the wait; a stable run resets it.
    let failures = 0;
    let upSince = Date.now();
    while (!stopping) {
      let reason = await options.exited(current);
      if (stopping) return;
      if (Date.now() - upSince >= stableAfterMs) failures = 0;
      const downAt = Date.now();
      for (;;) {
        const wait = Math.min(backoff.maxMs, backoff.baseMs * 2 ** failures);
        options.log(
          `${options.name} ended (${reason}); starting it again in ${(wait / 1000).toFixed(1)} s on the same data and port (${options.meanwhile ?? 'the API answers 503 meanwhile'})`,
        );
        try {
          await delay(wait, undefined, { signal: stopSignal.signal });
        } catch {
          return;
        }
        failures++;
        try {
          const next = await options.start();
          if (stopping) {
            await options.stop(next);
            return;
          }
          await options.onRestart?.(next);
          current = next;
          restarts++;
          upSince = Date.now();
          options.log(
            `${options.name} is running again, ${((upSince - downAt) / 1000).toFixed(1)} s after it ended (restart ${restarts})`,
          );
          for (const resolve of waiters.splice(0)) resolve(next);
          break;
        } catch (error) {
          if (stopping) return;
          reason = `start failed: ${(error as Error).message.split('\n')[0]}`;
        }
      }
    }
  };
  const running = keepRunning().catch((error: unknown) => {
    options.log(`${options.name}: supervision failed: ${String(error)}`);
  });

  return {
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    nextRestart: () =>
      new Promise<T>((resolve) => {
        waiters.push(resolve);
      }),
    stop: async () => {
      stopping = true;
      stopSignal.abort();
      waiters = [];
      await options.stop(current);
      await running;
    },
  };
};
