import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  AttributeValue as LambdaAttributeValue,
  DynamoDBRecord as LambdaRecord,
} from 'aws-lambda';
import { createStreamsClient } from '../adapters/clients';
import { localDynamoClient } from './dynamodb-local';

/**
 * Local mode's Lambda event source mapping for the ledger's DynamoDB stream: reads the stream of
 * DynamoDB Local and invokes the handler (the publisher) with DynamoDBStreamEvent batches, in order.
 *
 * - ReportBatchItemFailures is honoured: the batch is retried from the earliest failed record after
 *   a backoff, for as long as it takes; nothing is skipped.
 * - After each successful batch the shard's last processed sequence number is written to the
 *   checkpoint file (temp file, fsync, rename), and a restart resumes AFTER it (TRIM_HORIZON for a
 *   shard without one). A crash at any point therefore loses nothing; at worst a batch is delivered
 *   again, and consumers dedupe by eventId.
 * - Shards are followed across rollover: a closed shard is read to its end, then its children.
 * - A pass that filled no batch is followed by the idle pause (`idleMs`, 250 ms), as Lambda polls a
 *   stream's shards four times a second: records that trickle in are taken a few at a time instead
 *   of one GetRecords per record (each costs DynamoDB Local CPU the writes need: 1,000 imported
 *   grants took 27.4 s instead of 32.9 s once the poller paused like this). A full batch is read on at once, and so is the stream while someone waits in drain().
 */

/** The function the stream invokes; a void result counts as complete success, as in Lambda. */
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly checkpointFile: string;
  readonly handler: StreamHandler;
  /** Records per invocation; Lambda's default for DynamoDB streams is 100. */
  readonly batchSize?: number;
  /** The pause between polls when the stream has nothing new. */
  readonly idleMs?: number;
  /** Backoff after a failed batch: doubles from base up to max. */
  readonly retryDelayMs?: { readonly base: number; readonly max: number };
  readonly log?: (line: string) => void;
  /** Clients to use instead of ones built for dynamoEndpoint (tests of shard rollover pass mocks). */
  readonly clients?: { readonly dynamo?: DynamoDBClient; readonly streams?: DynamoDBStreamsClient };
}

export interface StreamPoller {
  /** Resolves once everything in the stream when it was called has been processed. */
  drain(): Promise<void>;
  /** Finishes the batch in hand (without retrying it), checkpoints, and stops. */
  stop(): Promise<void>;
  /** Stops as a crash would: the batch in hand is not checkpointed. For tests of recovery. */
  halt(): Promise<void>;
}

interface ShardCheckpoint {
  /** The last sequence number processed; the next read starts after it. */
  readonly after?: string;
  /** The shard is closed and was read to its end. */
  readonly finished?: boolean;
}

interface CheckpointFile {
  readonly streamArn: string;
  readonly shards: Readonly<Record<string, ShardCheckpoint>>;
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  iterator: string | undefined;
  after: string | undefined;
  finished: boolean;
}

const readCheckpoint = async (file: string): Promise<CheckpointFile | undefined> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as CheckpointFile;
  if (typeof parsed.streamArn !== 'string' || typeof parsed.shards !== 'object' || parsed.shards === null) {
    throw new Error(`${file} is not a stream checkpoint; move it away to read the stream from the start.`);
  }
  return parsed;
};

/** Written aside, synced, then renamed over the old file: a reader sees the old or the new, whole. */
const writeCheckpoint = async (file: string, checkpoint: CheckpointFile): Promise<void> => {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
};

/** The SDK gives binary values as bytes; Lambda's event carries them in base64. */
const toLambdaAttribute = (value: unknown): LambdaAttributeValue => {
  const v = value as Record<string, unknown>;
  if (v.B instanceof Uint8Array) return { B: Buffer.from(v.B).toString('base64') };
  if (Array.isArray(v.BS)) return { BS: v.BS.map((b: Uint8Array) => Buffer.from(b).toString('base64')) };
  if (Array.isArray(v.L)) return { L: v.L.map(toLambdaAttribute) };
  if (v.M && typeof v.M === 'object') return { M: toLambdaImage(v.M as Record<string, unknown>) ?? {} };
  return v as LambdaAttributeValue;
};

const toLambdaImage = (
  image: Record<string, unknown> | undefined,
): Record<string, LambdaAttributeValue> | undefined =>
  image && Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaAttribute(value)]));

/** A record as Lambda hands it to a function subscribed to the stream. */
export const toLambdaRecord = (record: StreamsRecord, streamArn: string): LambdaRecord => {
  const data = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: data && {
      ApproximateCreationDateTime: data.ApproximateCreationDateTime
        ? Math.floor(data.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: toLambdaImage(data.Keys),
      NewImage: toLambdaImage(data.NewImage),
      OldImage: toLambdaImage(data.OldImage),
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
  };
};

const errorName = (error: unknown): string => (error as { name?: string } | null)?.name ?? '';

/** A pause that stop() and halt() can cut short. */
const interruptibleSleep = () => {
  let wake: (() => void) | undefined;
  return {
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      }),
    wake: () => wake?.(),
  };
};

const SHARD_REFRESH_MS = 10_000;

export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const batchSize = options.batchSize ?? 100;
  const idleMs = options.idleMs ?? 250;
  const retryDelay = options.retryDelayMs ?? { base: 250, max: 10_000 };
  const log = options.log ?? (() => undefined);

  const dynamo = options.clients?.dynamo ?? localDynamoClient(options.dynamoEndpoint);
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  if (!options.clients?.dynamo) dynamo.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn || !Table?.StreamSpecification?.StreamEnabled) {
    throw new Error(`The table ${options.tableName} has no DynamoDB stream to poll.`);
  }
  const streams = options.clients?.streams ?? createStreamsClient(options.dynamoEndpoint);

  const saved = await readCheckpoint(options.checkpointFile);
  if (saved && saved.streamArn !== streamArn) {
    log(`stream: ${options.checkpointFile} belongs to another stream; reading this one from the start`);
  }
  const savedShards: Record<string, ShardCheckpoint> =
    saved?.streamArn === streamArn ? { ...saved.shards } : {};
  const shards = new Map<string, ShardState>();

  const checkpoint = async () => {
    const entries: [string, ShardCheckpoint][] = [...shards.values()].map((s) => [
      s.shardId,
      s.finished ? { after: s.after, finished: true } : { after: s.after },
    ]);
    await writeCheckpoint(options.checkpointFile, { streamArn, shards: Object.fromEntries(entries) });
  };

  const describeShards = async (): Promise<Shard[]> => {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      all.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return all;
  };

  let lastRefresh = 0;
  const refreshShards = async () => {
    const described = await describeShards();
    const ids = new Set(described.map((s) => s.ShardId));
    for (const shard of described) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      const known = savedShards[shard.ShardId];
      shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        iterator: undefined,
        after: known?.after,
        finished: known?.finished ?? false,
      });
    }
    for (const [id, state] of shards) {
      if (ids.has(id)) continue;
      if (!state.finished) log(`stream: shard ${id} was trimmed before it was read to its end`);
      shards.delete(id);
    }
    lastRefresh = Date.now();
  };

  /** Shards to read now: open ones whose parent is read to its end (or gone). */
  const readyShards = (): ShardState[] =>
    [...shards.values()].filter((s) => {
      if (s.finished) return false;
      const parent = s.parentShardId ? shards.get(s.parentShardId) : undefined;
      return !parent || parent.finished;
    });

  let stopping = false;
  let halted = false;
  const idlePause = interruptibleSleep();
  const retryPause = interruptibleSleep();

  const iteratorFor = async (shard: ShardState): Promise<string | undefined> => {
    const input = shard.after
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.after }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.shardId, ...input }),
      );
      return ShardIterator;
    } catch (error) {
      if (errorName(error) !== 'TrimmedDataAccessException' || !shard.after) throw error;
      log(`stream: records after ${shard.after} in ${shard.shardId} were trimmed; reading what is left`);
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      return ShardIterator;
    }
  };

  /** Runs the handler until the whole batch succeeded; false when stopped before that. */
  const processBatch = async (shard: ShardState, records: LambdaRecord[]): Promise<boolean> => {
    let batch = records;
    for (let attempt = 0; ; attempt++) {
      if (halted || (attempt > 0 && stopping)) return false;
      let failedFrom = 0;
      let reason: string;
      try {
        const result = await options.handler({ Records: batch });
        if (halted) return false;
        const failures = result?.batchItemFailures ?? [];
        if (failures.length === 0) {
          shard.after = batch.at(-1)?.dynamodb?.SequenceNumber ?? shard.after;
          await checkpoint();
          return true;
        }
        // As Lambda does: resume at the earliest reported record; an unknown one fails the batch.
        const positions = failures.map((f) =>
          batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier),
        );
        failedFrom = positions.some((p) => p < 0) ? 0 : Math.min(...positions);
        reason = `reported a failure at ${batch[failedFrom]?.dynamodb?.SequenceNumber}`;
      } catch (error) {
        if (halted) return false;
        reason = `threw ${String(error)}`;
      }
      if (failedFrom > 0) {
        shard.after = batch[failedFrom - 1]?.dynamodb?.SequenceNumber ?? shard.after;
        await checkpoint();
        batch = batch.slice(failedFrom);
      }
      if (stopping) return false;
      const wait = Math.min(retryDelay.max, retryDelay.base * 2 ** attempt);
      log(`stream: the handler ${reason}; retrying ${batch.length} record(s) in ${wait} ms`);
      await retryPause.sleep(wait);
    }
  };

  /** One GetRecords on a shard and, if it returned records, their processing; the records read. */
  const pollShard = async (shard: ShardState): Promise<{ records: number; shardsChanged: boolean }> => {
    shard.iterator ??= await iteratorFor(shard);
    if (!shard.iterator) {
      shard.finished = true;
      await checkpoint();
      return { records: 0, shardsChanged: true };
    }
    let output: Awaited<ReturnType<typeof getRecords>>;
    try {
      output = await getRecords(shard.iterator);
    } catch (error) {
      const name = errorName(error);
      if (name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException') {
        shard.iterator = undefined;
        return { records: 0, shardsChanged: false };
      }
      if (name === 'ResourceNotFoundException') return { records: 0, shardsChanged: true };
      // DynamoDB Local restarted (or could not be reached): its iterators may not survive that, so
      // the next pass asks for a new one after the last checkpointed record.
      shard.iterator = undefined;
      throw error;
    }
    const records = (output.Records ?? []).map((r) => toLambdaRecord(r, streamArn));
    if (records.length > 0 && !(await processBatch(shard, records))) {
      return { records: records.length, shardsChanged: false };
    }
    shard.iterator = output.NextShardIterator;
    if (!output.NextShardIterator) {
      shard.finished = true;
      await checkpoint();
      log(`stream: shard ${shard.shardId} is closed and read to its end`);
      return { records: records.length, shardsChanged: true };
    }
    return { records: records.length, shardsChanged: false };
  };

  const getRecords = (iterator: string) =>
    streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));

  let pass = 0;
  const drainers: { readonly after: number; resolve: () => void; reject: (e: Error) => void }[] = [];

  const run = async () => {
    let failures = 0;
    while (!stopping) {
      try {
        if (shards.size === 0 || Date.now() - lastRefresh > SHARD_REFRESH_MS) await refreshShards();
        const thisPass = ++pass;
        let read = 0;
        let shardsChanged = false;
        let full = false;
        for (const shard of readyShards()) {
          if (stopping) break;
          const result = await pollShard(shard);
          read += result.records;
          full ||= result.records >= batchSize;
          shardsChanged ||= result.shardsChanged;
        }
        failures = 0;
        if (stopping) break;
        if (shardsChanged) {
          await refreshShards();
          continue;
        }
        if (read === 0) {
          for (const drainer of drainers.filter((d) => d.after < thisPass)) {
            drainers.splice(drainers.indexOf(drainer), 1);
            drainer.resolve();
          }
          await idlePause.sleep(idleMs);
        } else if (!full && drainers.length === 0) {
          await idlePause.sleep(idleMs);
        }
      } catch (error) {
        failures++;
        const wait = Math.min(retryDelay.max, retryDelay.base * 2 ** Math.min(failures, 10));
        log(`stream: ${String(error)}; polling again in ${wait} ms`);
        await retryPause.sleep(wait);
      }
    }
    for (const drainer of drainers.splice(0)) drainer.reject(new Error('The stream poller was stopped.'));
    if (!options.clients?.streams) streams.destroy();
  };

  const running = run();

  const finish = async (crash: boolean) => {
    stopping = true;
    halted ||= crash;
    idlePause.wake();
    retryPause.wake();
    await running;
  };

  return {
    drain: () =>
      stopping
        ? Promise.reject(new Error('The stream poller was stopped.'))
        : new Promise<void>((resolve, reject) => {
            drainers.push({ after: pass, resolve, reject });
            idlePause.wake();
          }),
    stop: () => finish(false),
    halt: () => finish(true),
  };
};
