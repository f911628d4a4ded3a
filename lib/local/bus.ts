import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type DeliveredEvent, toDeliveredEvent } from '../../events/contracts';
import { EVENT_RULES, type EventRuleDefinition, matchesPattern } from '../../events/rules';
import { readBody } from './read-body';
import { supervise } from './supervise';

/**
 * The local stand-in for the EventBridge bus: an HTTP endpoint on 127.0.0.1 that answers the
 * PutEvents calls of the real @aws-sdk/client-eventbridge (JSON 1.1 protocol; the signature is not
 * checked). Every accepted entry is appended to DIR/events.jsonl, durably and before the reply (the
 * audit rule's local target), then routed by the stack's own EVENT_RULES to the registered targets
 * (the alerts rule → the notifier), asynchronously and with retries; a delivery that keeps failing
 * lands in DIR/dead-letter/<ruleId>.jsonl, as EventBridge would send it to the rule's DLQ.
 */

export type BusTarget = (event: DeliveredEvent) => Promise<unknown>;

export interface LocalBusOptions {
  readonly dataDir: string;
  readonly busName: string;
  /** 0 (the default) takes a free port. */
  readonly port?: number;
  readonly rules?: readonly EventRuleDefinition[];
  /** Delivery attempts per target before dead-lettering, and the first backoff (doubling). */
  readonly delivery?: { readonly attempts: number; readonly baseDelayMs: number };
  readonly account?: string;
  readonly region?: string;
  readonly log?: (line: string) => void;
}

export interface LocalBus {
  readonly endpoint: string;
  readonly eventsFile: string;
  /** The target of a rule; a rule without one only has its events in events.jsonl. */
  setTarget(ruleId: string, target: BusTarget): void;
  /**
   * Fault injection for tests of the publisher's recovery: the next `count` PutEvents requests fail,
   * every entry refused with InternalFailure ('entries') or the whole request with HTTP 500 ('outage').
   */
  failNext(count: number, how?: 'entries' | 'outage'): void;
  /**
   * Fault injection for tests of supervision: the listener stops as if it had died (connections
   * dropped); the bus listens again on the same port by itself.
   */
  crashListener(): void;
  /** How many PutEvents requests the bus has answered, failed ones included. */
  readonly putEventsCalls: number;
  /** Resolves when no target delivery is in flight. */
  idle(): Promise<void>;
  /** Stops accepting requests, waits for in-flight deliveries and closes the log. */
  close(): Promise<void>;
}

/** The one line per entry that PRODUCT.md 5 promises, fields in this order. */
export interface EventsLogLine {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
  readonly Time: string;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_ENTRIES = 10;
const JSON_11 = 'application/x-amz-json-1.1';

class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The SDK sends `Time` as epoch seconds; an ISO string is accepted too. */
const entryTime = (value: unknown, now: Date): string => {
  const at =
    typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : now;
  return Number.isNaN(at.getTime()) ? now.toISOString() : at.toISOString();
};

type EntryResult =
  | { readonly ok: true; readonly eventId: string; readonly line: EventsLogLine }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string };

export const startLocalBus = async (options: LocalBusOptions): Promise<LocalBus> => {
  const rules = options.rules ?? EVENT_RULES;
  const delivery = options.delivery ?? { attempts: 3, baseDelayMs: 200 };
  const account = options.account ?? '000000000000';
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-central-1';
  const log = options.log ?? (() => undefined);
  const eventsFile = join(options.dataDir, 'events.jsonl');
  const deadLetterDir = join(options.dataDir, 'dead-letter');
  await mkdir(options.dataDir, { recursive: true });

  const eventsLog: FileHandle = await open(eventsFile, 'a+');
  // A line cut short by a crash (power loss) is closed off, so the next line stays whole.
  const { size } = await eventsLog.stat();
  if (size > 0) {
    const last = Buffer.alloc(1);
    await eventsLog.read(last, 0, 1, size - 1);
    if (last.toString() !== '\n') await eventsLog.appendFile('\n');
  }

  let writing: Promise<void> = Promise.resolve();
  /** Appends the lines in order, one appendFile each, and syncs them before the caller replies. */
  const appendLines = (lines: readonly string[]): Promise<void> => {
    const next = writing.then(async () => {
      for (const line of lines) await eventsLog.appendFile(`${line}\n`);
      await eventsLog.datasync();
    });
    writing = next.catch(() => undefined);
    return next;
  };

  const targets = new Map<string, BusTarget>();
  const inFlight = new Set<Promise<void>>();
  const faults: ('entries' | 'outage')[] = [];
  let putEventsCalls = 0;

  const deadLetter = async (ruleId: string, event: DeliveredEvent, attempts: number, error: unknown) => {
    await mkdir(deadLetterDir, { recursive: true });
    const line = JSON.stringify({
      ruleId,
      failedAt: new Date().toISOString(),
      attempts,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      event,
    });
    const file = await open(join(deadLetterDir, `${ruleId}.jsonl`), 'a');
    try {
      await file.appendFile(`${line}\n`);
      await file.datasync();
    } finally {
      await file.close();
    }
  };

  const deliver = async (ruleId: string, target: BusTarget, event: DeliveredEvent) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await target(event);
        return;
      } catch (error) {
        if (attempt >= delivery.attempts) {
          log(`bus: ${ruleId} failed ${event['detail-type']} ${event.id} ${attempt} times; dead-lettered`);
          await deadLetter(ruleId, event, attempt, error).catch((e: unknown) =>
            log(`bus: could not dead-letter ${event.id}: ${String(e)}`),
          );
          return;
        }
        await delay(delivery.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  };

  const route = (eventId: string, line: EventsLogLine) => {
    for (const rule of rules) {
      const target = targets.get(rule.id);
      if (!target) continue;
      let matched: boolean;
      try {
        matched = matchesPattern(rule.eventPattern, line);
      } catch (error) {
        log(`bus: rule ${rule.id} cannot be matched locally: ${String(error)}`);
        continue;
      }
      if (!matched) continue;
      const event = toDeliveredEvent(line, { id: eventId, time: line.Time, account, region });
      const running = deliver(rule.id, target, event).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
  };

  const checkEntry = (entry: unknown, now: Date, fault: boolean): EntryResult => {
    if (!isObject(entry)) return { ok: false, errorCode: 'InvalidArgument', errorMessage: 'Not an entry.' };
    const { Source, DetailType, Detail, EventBusName, Time } = entry;
    if (typeof Source !== 'string' || !Source || typeof DetailType !== 'string' || !DetailType) {
      return { ok: false, errorCode: 'InvalidArgument', errorMessage: 'Source and DetailType are required.' };
    }
    let detail: unknown;
    try {
      detail = typeof Detail === 'string' ? JSON.parse(Detail) : undefined;
    } catch {
      detail = undefined;
    }
    if (!isObject(detail)) {
      return { ok: false, errorCode: 'MalformedDetail', errorMessage: 'Detail is not a JSON object.' };
    }
    const busName = typeof EventBusName === 'string' && EventBusName ? EventBusName : 'default';
    if (busName !== options.busName && !busName.endsWith(`:event-bus/${options.busName}`)) {
      return {
        ok: false,
        errorCode: 'ResourceNotFoundException',
        errorMessage: `Event bus ${busName} does not exist.`,
      };
    }
    if (fault) return { ok: false, errorCode: 'InternalFailure', errorMessage: 'Injected failure.' };
    return {
      ok: true,
      eventId: randomUUID(),
      line: {
        Source,
        DetailType,
        Detail: Detail as string,
        EventBusName: busName,
        Time: entryTime(Time, now),
      },
    };
  };

  const putEvents = async (body: string, res: ServerResponse) => {
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      throw new AwsError(400, 'SerializationException', 'The request body is not JSON.');
    }
    const entries = isObject(request) ? request.Entries : undefined;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsError(400, 'ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries.`);
    }
    putEventsCalls++;
    const fault = faults.shift();
    if (fault === 'outage') throw new AwsError(500, 'InternalException', 'Injected outage.');
    const now = new Date();
    const results = entries.map((entry) => checkEntry(entry, now, fault === 'entries'));
    const accepted = results.filter((r): r is Extract<EntryResult, { ok: true }> => r.ok);
    await appendLines(accepted.map((r) => JSON.stringify(r.line)));
    reply(res, 200, {
      FailedEntryCount: results.length - accepted.length,
      Entries: results.map((r) =>
        r.ok ? { EventId: r.eventId } : { ErrorCode: r.errorCode, ErrorMessage: r.errorMessage },
      ),
    });
    for (const r of accepted) route(r.eventId, r.line);
  };

  const server = createServer((req, res) => {
    const handle = async () => {
      if (req.method !== 'POST') {
        throw new AwsError(405, 'UnknownOperationException', 'The local bus answers POST requests only.');
      }
      const target = req.headers['x-amz-target'];
      const body = (
        await readBody(
          req,
          MAX_BODY_BYTES,
          () => new AwsError(413, 'ValidationException', 'The request is too large.'),
        )
      ).toString('utf8');
      if (target !== 'AWSEvents.PutEvents') {
        throw new AwsError(
          400,
          'UnknownOperationException',
          `The local bus supports only AWSEvents.PutEvents, not ${String(target ?? '(no X-Amz-Target)')}.`,
        );
      }
      await putEvents(body, res);
    };
    handle().catch((error: unknown) => {
      const aws = error instanceof AwsError ? error : new AwsError(500, 'InternalException', String(error));
      if (!(error instanceof AwsError)) log(`bus: ${String(error)}`);
      if (res.headersSent) return;
      reply(res, aws.status, { __type: aws.type, message: aws.message }, { 'x-amzn-errortype': aws.type });
    });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  // Supervised like DynamoDB Local (supervise.ts): a listener that stops without close() being
  // called listens again on the same port, with backoff; events.jsonl stays open throughout, and the
  // publisher's retries carry what was refused meanwhile.
  let port = options.port ?? 0;
  server.on('error', (error) => log(`bus: ${String(error)}`));
  const listener = await supervise({
    name: 'The local bus',
    meanwhile: 'the publisher retries its events meanwhile',
    start: async () => {
      await listen(port);
      port = (server.address() as AddressInfo).port;
      return {
        stopped: new Promise<string>((resolve) =>
          server.once('close', () => resolve('its listener stopped')),
        ),
      };
    },
    exited: (listening) => listening.stopped,
    // close() below ends the listener itself, after the request in hand.
    stop: async () => undefined,
    log,
  });

  const idle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    eventsFile,
    setTarget: (ruleId, target) => {
      if (!rules.some((rule) => rule.id === ruleId)) throw new Error(`The bus has no rule ${ruleId}.`);
      targets.set(ruleId, target);
    },
    failNext: (count, how = 'entries') => {
      for (let i = 0; i < count; i++) faults.push(how);
    },
    crashListener: () => {
      server.close();
      server.closeAllConnections();
    },
    get putEventsCalls() {
      return putEventsCalls;
    },
    idle,
    close: () => {
      closed ??= (async () => {
        const supervision = listener.stop();
        // A request being answered finishes first; idle keep-alive connections close now.
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.closeAllConnections(), 2_000);
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        await supervision;
        await idle();
        await writing;
        await eventsLog.close();
      })();
      return closed;
    },
  };
};
