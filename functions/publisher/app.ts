import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { EventContractError, isDetailType, parseDetail, putEventsEntry } from '../../events/contracts';

export interface PublisherDeps {
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  readonly busName: string;
  readonly logger: Logger;
  /** Waits between retries; tests pass one that returns at once and records the delays. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly metrics?: Metrics;
  /** [0, 1); the jitter of the backoff. */
  readonly random?: () => number;
  /** PutEvents attempts per batch for entries EventBridge refused (FailedEntryCount), with backoff. */
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
}

/** EventBridge takes at most 10 entries per PutEvents. */
export const PUT_EVENTS_BATCH = 10;

const DEFAULT_RETRY = { attempts: 4, baseDelayMs: 100, maxDelayMs: 2_000 } as const;

/** One outbox event ready for the bus, with its place in the stream batch. */
interface Pending {
  readonly index: number;
  readonly eventId: string;
  readonly entry: PutEventsRequestEntry;
}

type Classified =
  | { readonly kind: 'skip' }
  | { readonly kind: 'event'; readonly pending: Pending }
  | { readonly kind: 'malformed'; readonly eventId: string | undefined; readonly reason: string };

const stringAttribute = (image: Record<string, unknown> | undefined, name: string): string | undefined => {
  const value = (image?.[name] as { S?: unknown } | undefined)?.S;
  return typeof value === 'string' ? value : undefined;
};

const isOutboxRecord = (record: DynamoDBRecord): boolean => {
  const { Keys, NewImage } = record.dynamodb ?? {};
  return (
    (stringAttribute(Keys, 'pk') ?? stringAttribute(NewImage, 'pk') ?? '').startsWith('OUTBOX#') ||
    stringAttribute(NewImage, 'type') === 'OUTBOX'
  );
};

/**
 * Only a new outbox item becomes an event: an outbox item's later MODIFY or its REMOVE by TTL, and
 * every other item, are not events. An outbox item that cannot be published is "malformed" and is
 * reported, never dropped.
 */
const classify = (record: DynamoDBRecord, index: number, busName: string): Classified => {
  if (record.eventName !== 'INSERT' || !isOutboxRecord(record)) return { kind: 'skip' };
  const image = record.dynamodb?.NewImage;
  const pkEventId = stringAttribute(record.dynamodb?.Keys, 'pk')?.slice('OUTBOX#'.length);
  if (!image) return { kind: 'malformed', eventId: pkEventId, reason: 'the stream record has no NewImage' };
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image as Record<string, AttributeValue>);
  } catch (error) {
    return { kind: 'malformed', eventId: pkEventId, reason: `cannot be unmarshalled: ${String(error)}` };
  }
  const eventId = typeof item.eventId === 'string' ? item.eventId : pkEventId;
  if (typeof item.eventId !== 'string' || item.pk !== `OUTBOX#${item.eventId}`) {
    return { kind: 'malformed', eventId, reason: 'eventId is missing or differs from the key' };
  }
  if (!isDetailType(item.detailType)) {
    return { kind: 'malformed', eventId, reason: `unknown detailType ${JSON.stringify(item.detailType)}` };
  }
  if (typeof item.detail !== 'string')
    return { kind: 'malformed', eventId, reason: 'detail is not a string' };
  if (typeof item.occurredAt !== 'string' || Number.isNaN(Date.parse(item.occurredAt))) {
    return { kind: 'malformed', eventId, reason: 'occurredAt is not a timestamp' };
  }
  try {
    const detail = parseDetail(item.detailType, JSON.parse(item.detail) as unknown);
    if (detail.eventId !== item.eventId) {
      return { kind: 'malformed', eventId, reason: 'the detail carries another eventId' };
    }
    return {
      kind: 'event',
      pending: {
        index,
        eventId: item.eventId,
        entry: { ...putEventsEntry(item.detailType, detail, busName), Time: new Date(item.occurredAt) },
      },
    };
  } catch (error) {
    const reason =
      error instanceof EventContractError
        ? error.message
        : `detail is not JSON: ${error instanceof Error ? error.message : String(error)}`;
    return { kind: 'malformed', eventId, reason };
  }
};

/**
 * The target of the ledger's DynamoDB stream: puts each new outbox item on the bus, in stream order.
 *
 * Entries EventBridge refuses are retried here a few times with backoff and jitter; what still fails,
 * a PutEvents that throws (the SDK has retried already), and every malformed outbox item become a
 * batch item failure naming the earliest such record, so Lambda retries from there and, after the
 * event source's retries, sends the batch to its on-failure destination. Once a send fails no later
 * batch is sent: the retry will send them again anyway. Malformed items do not stop the others.
 */
export const createPublisher = (deps: PublisherDeps) => {
  const retry = deps.retry ?? DEFAULT_RETRY;
  const random = deps.random ?? Math.random;
  const { logger } = deps;

  const backoff = (attempt: number): number => {
    const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };

  const send = (entries: readonly Pending[]) =>
    deps.eventBridge.send(new PutEventsCommand({ Entries: entries.map((p) => p.entry) }));

  /** Sends one batch; resolves with the entries still unsent (and the error, if a send threw). */
  const sendBatch = async (batch: readonly Pending[]): Promise<{ unsent: Pending[]; error?: unknown }> => {
    let remaining = [...batch];
    for (let attempt = 1; ; attempt++) {
      let output: Awaited<ReturnType<typeof send>>;
      try {
        output = await send(remaining);
      } catch (error) {
        return { unsent: remaining, error };
      }
      if (!output.FailedEntryCount) return { unsent: [] };
      const results = output.Entries ?? [];
      let failed = remaining.filter((_, i) => results[i]?.ErrorCode || !results[i]?.EventId);
      if (failed.length === 0) failed = remaining;
      logger.warn('EventBridge refused entries', {
        attempt,
        refused: failed.map((p) => {
          const result = results[remaining.indexOf(p)];
          return { eventId: p.eventId, errorCode: result?.ErrorCode, errorMessage: result?.ErrorMessage };
        }),
      });
      if (attempt >= retry.attempts) return { unsent: failed };
      await deps.sleep(backoff(attempt));
      remaining = failed;
    }
  };

  return async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    if (context) logger.addContext(context);
    const records = event.Records;
    let firstFailure: number | undefined;
    const fail = (index: number) => {
      firstFailure = firstFailure === undefined ? index : Math.min(firstFailure, index);
    };

    const pending: Pending[] = [];
    let malformedCount = 0;
    records.forEach((record, index) => {
      const classified = classify(record, index, deps.busName);
      if (classified.kind === 'event') pending.push(classified.pending);
      if (classified.kind === 'malformed') {
        logger.error('Malformed outbox item; reported as a failure so it reaches the dead-letter queue', {
          eventId: classified.eventId,
          sequenceNumber: record.dynamodb?.SequenceNumber,
          reason: classified.reason,
        });
        fail(index);
        malformedCount++;
      }
    });

    let published = 0;
    for (let start = 0; start < pending.length; start += PUT_EVENTS_BATCH) {
      const batch = pending.slice(start, start + PUT_EVENTS_BATCH);
      const { unsent, error } = await sendBatch(batch);
      published += batch.length - unsent.length;
      const firstUnsent = unsent[0];
      if (firstUnsent) {
        logger.error(error ? 'PutEvents failed' : 'EventBridge kept refusing entries', {
          firstUnsentEventId: firstUnsent.eventId,
          unsentInBatch: unsent.length,
          notAttempted: pending.length - start - batch.length,
          error: error === undefined ? undefined : String(error),
        });
        fail(firstUnsent.index);
        break;
      }
    }

    const failures = malformedCount + pending.length - published;
    deps.metrics?.addMetric('EventsPublished', MetricUnit.Count, published);
    deps.metrics?.addMetric('PublishFailures', MetricUnit.Count, failures);
    deps.metrics?.publishStoredMetrics();
    logger.info('Published outbox events', { records: records.length, published, failures });

    if (firstFailure === undefined) return { batchItemFailures: [] };
    const sequenceNumber = records[firstFailure]?.dynamodb?.SequenceNumber;
    // Without a sequence number Lambda cannot resume at the record; failing the whole batch is safe.
    if (!sequenceNumber) throw new Error('A failed stream record has no SequenceNumber; retrying the batch.');
    return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
  };
};
