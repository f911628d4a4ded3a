/**
 * A bound on the writes one client has at the store at once, with the rest waiting their turn here.
 *
 * A store that applies writes one after another (DynamoDB Local does) answers each write after
 * every write queued before it. Without a bound, all of a busy API's writes queue at the store, and
 * each waits there against its 2.5 s budget, so the slowest time out and become 503s although the
 * store is working, and the store still carries out every write it was sent, wanted or not. With a
 * bound, a few writes are at the store at a time, each answered quickly, and the others wait here,
 * in order, for as long as their request's deadline allows. A write at the store that gets no
 * answer in its budget means the store has stopped answering: then every write waiting here is
 * failed at once (a 503 now rather than after its own wait), and none of them is ever sent.
 *
 * One Lambda instance handles one request at a time and never has this many writes open; the bound
 * matters where one process serves every request: local mode.
 */

export interface WriteSlots {
  /** Waits up to `timeoutMs` for a slot: its release, or undefined when none came or waiting was failed. */
  acquire(timeoutMs: number): Promise<(() => void) | undefined>;
  /** Fails every write now waiting (the store stopped answering); writes that come later wait as usual. */
  failWaiting(): void;
  /** Writes at the store now, and writes waiting for a slot. */
  readonly inUse: number;
  readonly waiting: number;
}

export const createWriteSlots = (size: number): WriteSlots => {
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`A bound on writes in flight must be a positive integer, not ${size}.`);
  }
  let inUse = 0;
  const queue: ((slot: (() => void) | undefined) => void)[] = [];

  const slot = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      if (next) next(slot());
      else inUse -= 1;
    };
  };

  return {
    acquire: (timeoutMs) => {
      if (inUse < size) {
        inUse += 1;
        return Promise.resolve(slot());
      }
      if (timeoutMs <= 0) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const settle = (given: (() => void) | undefined) => {
          clearTimeout(timer);
          resolve(given);
        };
        const timer = setTimeout(() => {
          queue.splice(queue.indexOf(settle), 1);
          resolve(undefined);
        }, timeoutMs);
        queue.push(settle);
      });
    },
    failWaiting: () => {
      for (const settle of queue.splice(0)) settle(undefined);
    },
    get inUse() {
      return inUse;
    },
    get waiting() {
      return queue.length;
    },
  };
};

/** The DynamoDB operations that write, as the `X-Amz-Target` header of the request names them. */
const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

/** Whether a DynamoDB HTTP request is a write (a PartiQL statement counts as one: it may be). */
export const isDynamoWrite = (request: unknown): boolean => {
  const headers = (request as { headers?: Record<string, string | undefined> } | undefined)?.headers ?? {};
  const target = headers['x-amz-target'] ?? headers['X-Amz-Target'] ?? '';
  return WRITE_OPERATIONS.has(target.slice(target.lastIndexOf('.') + 1));
};
