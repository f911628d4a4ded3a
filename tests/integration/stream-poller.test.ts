import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandInput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type StreamHandler, startStreamPoller } from '../../lib/local/stream-poller';

/**
 * The stream poller's shard handling, against scripted DynamoDB Streams answers: DynamoDB Local
 * does not roll shards over on demand, so rollover and the retry rules are played out here, with the
 * real checkpoint file.
 */

const STREAM = 'arn:aws:dynamodb:ddblocal:000000000000:table/t-ledger/stream/2026-11-22T00:00:00.000';
const PARENT = 'shardId-0001';
const CHILD = 'shardId-0002';
const seq = (n: number) => String(n).padStart(21, '0');

const record = (n: number): _Record => ({
  eventID: `e${n}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: {
    ApproximateCreationDateTime: new Date('2026-11-22T09:00:00Z'),
    Keys: { pk: { S: `OUTBOX#${n}` }, sk: { S: 'EVENT' } },
    NewImage: { pk: { S: `OUTBOX#${n}` }, sk: { S: 'EVENT' }, blob: { B: new Uint8Array([1, 2, 3]) } },
    SequenceNumber: seq(n),
    StreamViewType: 'NEW_IMAGE',
  },
});

/** Iterator "<shard>@<position>" over the scripted records of each shard; a closed shard ends. */
const script: Record<string, { records: _Record[]; closed: boolean }> = {};

describe('the stream poller', () => {
  const dynamo = new DynamoDBClient({ region: 'eu-central-1' });
  const streams = new DynamoDBStreamsClient({ region: 'eu-central-1' });
  const dynamoMock = mockClient(dynamo);
  const streamsMock = mockClient(streams);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-poller-'));
    script[PARENT] = { records: [record(1), record(2), record(3)], closed: true };
    script[CHILD] = { records: [record(4)], closed: false };
    dynamoMock.on(DescribeTableCommand).resolves({
      Table: {
        LatestStreamArn: STREAM,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      },
    });
    // The child is listed from the start: it must still wait until its parent is read to its end.
    streamsMock.on(DescribeStreamCommand).resolves({
      StreamDescription: {
        StreamArn: STREAM,
        Shards: [
          {
            ShardId: PARENT,
            SequenceNumberRange: { StartingSequenceNumber: seq(1), EndingSequenceNumber: seq(3) },
          },
          { ShardId: CHILD, ParentShardId: PARENT, SequenceNumberRange: { StartingSequenceNumber: seq(4) } },
        ],
      },
    });
    streamsMock.on(GetShardIteratorCommand).callsFake((input: GetShardIteratorCommandInput) => {
      const records = script[input.ShardId ?? '']?.records ?? [];
      const position =
        input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER'
          ? records.findIndex((r) => r.dynamodb?.SequenceNumber === input.SequenceNumber) + 1
          : 0;
      return { ShardIterator: `${input.ShardId}@${position}` };
    });
    streamsMock.on(GetRecordsCommand).callsFake((input: GetRecordsCommandInput) => {
      const [shardId = '', at = '0'] = (input.ShardIterator ?? '').split('@');
      const shard = script[shardId] ?? { records: [], closed: false };
      const from = Number(at);
      const page = shard.records.slice(from, from + (input.Limit ?? 100));
      const next = from + page.length;
      const ended = shard.closed && next >= shard.records.length;
      return { Records: page, NextShardIterator: ended ? undefined : `${shardId}@${next}` };
    });
  });

  afterEach(async () => {
    dynamoMock.reset();
    streamsMock.reset();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (handler: StreamHandler, overrides: { idleMs?: number; batchSize?: number } = {}) =>
    startStreamPoller({
      dynamoEndpoint: 'http://127.0.0.1:1',
      tableName: 't-ledger',
      checkpointFile: join(dir, 'stream-checkpoint.json'),
      handler,
      batchSize: 2,
      idleMs: 10,
      retryDelayMs: { base: 5, max: 20 },
      clients: { dynamo, streams },
      ...overrides,
    });

  const recording = (seen: string[][], answer?: (event: DynamoDBStreamEvent) => DynamoDBBatchResponse) =>
    (async (event) => {
      seen.push(event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
      return answer?.(event) ?? { batchItemFailures: [] };
    }) satisfies StreamHandler;

  const checkpoint = async () => JSON.parse(await readFile(join(dir, 'stream-checkpoint.json'), 'utf8'));

  it('reads a closed shard to its end before its child, and checkpoints both', async () => {
    // arrange
    const seen: string[][] = [];
    let first: DynamoDBStreamEvent | undefined;
    const poller = await start(async (event) => {
      first ??= event;
      return recording(seen)(event);
    });
    // act
    await poller.drain();
    await poller.stop();
    // assert
    expect(seen).toEqual([[seq(1), seq(2)], [seq(3)], [seq(4)]]);
    expect(await checkpoint()).toEqual({
      streamArn: STREAM,
      shards: { [PARENT]: { after: seq(3), finished: true }, [CHILD]: { after: seq(4) } },
    });
    // The batch is shaped as Lambda's: stream ARN, epoch-second timestamps, binary in base64.
    expect(first?.Records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSourceARN: STREAM,
      dynamodb: { ApproximateCreationDateTime: 1795338000, NewImage: { blob: { B: 'AQID' } } },
    });
  });

  it('resumes after the checkpoint, skipping a finished shard', async () => {
    const firstRun = await start(recording([]));
    await firstRun.drain();
    await firstRun.stop();
    script[CHILD]?.records.push(record(5));
    streamsMock.resetHistory();
    const seen: string[][] = [];
    const secondRun = await start(recording(seen));
    await secondRun.drain();
    await secondRun.stop();
    expect(seen).toEqual([[seq(5)]]);
    const iterators = streamsMock.commandCalls(GetShardIteratorCommand).map((call) => call.args[0].input);
    expect(iterators).toEqual([
      {
        StreamArn: STREAM,
        ShardId: CHILD,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: seq(4),
      },
    ]);
  });

  it('retries from the record the handler reports as failed, and the whole batch when it throws', async () => {
    // arrange: the first call fails at record 2, the second throws, then all goes well
    const seen: string[][] = [];
    let calls = 0;
    const poller = await start(async (event) => {
      seen.push(event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
      calls++;
      if (calls === 1) return { batchItemFailures: [{ itemIdentifier: seq(2) }] };
      if (calls === 2) throw new Error('publisher crashed');
      return { batchItemFailures: [] };
    });
    // act
    await poller.drain();
    await poller.stop();
    // assert: record 1 was done after the first call and is never sent again
    expect(seen).toEqual([[seq(1), seq(2)], [seq(2)], [seq(2)], [seq(3)], [seq(4)]]);
  });

  it('treats a failure naming an unknown record as a failure of the whole batch', async () => {
    const seen: string[][] = [];
    let calls = 0;
    const poller = await start(
      recording(seen, () =>
        ++calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'nope' }] } : { batchItemFailures: [] },
      ),
    );
    await poller.drain();
    await poller.stop();
    expect(seen.slice(0, 2)).toEqual([
      [seq(1), seq(2)],
      [seq(1), seq(2)],
    ]);
  });

  it('stops after the batch in hand without retrying it', async () => {
    const seen: string[][] = [];
    let stopping: Promise<void> | undefined;
    const starting = start(async (event) => {
      seen.push(event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
      stopping ??= starting.then((poller) => poller.stop());
      return { batchItemFailures: [{ itemIdentifier: seq(1) }] };
    });
    const poller = await starting;
    await expect.poll(() => stopping !== undefined).toBe(true);
    await stopping;
    expect(seen).toEqual([[seq(1), seq(2)]]);
    await expect(poller.drain()).rejects.toThrow('stopped');
  });
  it('polls a shard that keeps receiving records once per idle interval, as Lambda polls a stream', async () => {
    // arrange: a record arrives every 2 ms; each poll would find one, none fills a batch of 100
    const trickle = setInterval(() => {
      const records = script[CHILD]?.records ?? [];
      records.push(record(records.length + 4));
    }, 2);
    const poller = await start(recording([]), { idleMs: 100, batchSize: 100 });
    try {
      // act
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      clearInterval(trickle);
      await poller.stop();
    }
    // assert: about 10 polls of the child in the second (not one per record)
    const childPolls = streamsMock
      .commandCalls(GetRecordsCommand)
      .filter((call) => call.args[0].input.ShardIterator?.startsWith(CHILD));
    expect(childPolls.length).toBeGreaterThan(1);
    expect(childPolls.length).toBeLessThanOrEqual(15);
  });

  it('reads on at once after a full batch, so a backlog is not slowed by the poll interval', async () => {
    // arrange: 40 records in the parent, batches of 2, an idle interval of a minute
    if (script[PARENT]) script[PARENT].records = Array.from({ length: 40 }, (_, i) => record(i + 1));
    const seen: string[][] = [];
    const poller = await start(recording(seen), { idleMs: 60_000 });
    try {
      // act + assert: all 20 full batches, without a minute's pause between any two
      await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(20), { timeout: 10_000 });
    } finally {
      await poller.stop();
    }
    expect(seen.slice(0, 20).flat()).toEqual(Array.from({ length: 40 }, (_, i) => seq(i + 1)));
  });
});
