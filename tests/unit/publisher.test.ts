import 'aws-sdk-client-mock-vitest/extend';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_CATALOGUE } from '../../events/contracts';
import { createPublisher, type PublisherDeps } from '../../functions/publisher/app';
import { DETAIL_TYPES, type DetailType, EVENT_SOURCE } from '../../lib/shared/names';
import { outboxToItem } from '../../lib/storage/items';

const BUS = 'funding-tracker-test';
const STREAM_ARN = 'arn:aws:dynamodb:eu-central-1:000000000000:table/ledger/stream/2026-11-22T00:00:00.000';

const seq = (n: number) => String(n).padStart(21, '0');
const eventIdOf = (n: number) => `evt-${String(n).padStart(4, '0')}`;

const image = (item: Record<string, unknown>) =>
  marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;

/** The catalogue's example of a detail-type, with its own eventId. */
const detailFor = (detailType: DetailType, eventId: string) => ({
  ...EVENT_CATALOGUE[detailType].example,
  eventId,
});

const streamRecord = (
  n: number,
  item: Record<string, unknown>,
  eventName: DynamoDBRecord['eventName'] = 'INSERT',
): DynamoDBRecord => ({
  eventID: `id-${n}`,
  eventName,
  eventSource: 'aws:dynamodb',
  eventSourceARN: STREAM_ARN,
  dynamodb: {
    Keys: image({ pk: item.pk, sk: item.sk }),
    NewImage: eventName === 'REMOVE' ? undefined : image(item),
    SequenceNumber: seq(n),
    StreamViewType: 'NEW_IMAGE',
  },
});

const outboxItem = (n: number, detailType: DetailType = DETAIL_TYPES.grantRegistered) =>
  outboxToItem({
    eventId: eventIdOf(n),
    detailType,
    detail: detailFor(detailType, eventIdOf(n)),
    occurredAt: `2024-12-16T05:00:${String(n % 60).padStart(2, '0')}.000Z`,
  });

const outboxRecord = (n: number, detailType?: DetailType) => streamRecord(n, outboxItem(n, detailType));

const grantRecord = (n: number) =>
  streamRecord(n, { pk: 'GRANT#01HQ8ZK4V6N3T2RXW5M7B9C1DE', sk: 'GRANT', type: 'GRANT', acronym: 'ATELIER' });

const batch = (...records: DynamoDBRecord[]) => ({ Records: records });

const ok = (count: number) => ({
  FailedEntryCount: 0,
  Entries: Array.from({ length: count }, (_, i) => ({ EventId: `eb-${i}` })),
});

/** A PutEvents answer refusing the entries at the given positions. */
const refusing = (count: number, failed: readonly number[], errorCode = 'InternalFailure') => ({
  FailedEntryCount: failed.length,
  Entries: Array.from(
    { length: count },
    (_, i): PutEventsResultEntry =>
      failed.includes(i) ? { ErrorCode: errorCode, ErrorMessage: 'try again' } : { EventId: `eb-${i}` },
  ),
});

const sdkError = (name: string) =>
  Object.assign(new Error(`${name} from the service`), { name, $fault: 'server' });

const sentEventIds = (input: PutEventsCommandInput) =>
  (input.Entries ?? []).map((entry) => (JSON.parse(entry.Detail ?? '{}') as { eventId: string }).eventId);

describe('the publisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  afterEach(() => {
    eventBridge.reset();
  });

  const setup = (overrides: Partial<PublisherDeps> = {}) => {
    const delays: number[] = [];
    const logger = new Logger({ serviceName: 'publisher-test', logLevel: 'SILENT' });
    const errors = vi.spyOn(logger, 'error');
    const publish = createPublisher({
      eventBridge: new EventBridgeClient({ region: 'eu-central-1' }),
      busName: BUS,
      logger,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
      ...overrides,
    });
    return { publish, delays, errors };
  };

  const calls = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input);

  it('puts each new outbox item on the bus as its contract entry, in stream order', async () => {
    // arrange
    eventBridge.on(PutEventsCommand).resolves(ok(3));
    const { publish } = setup();
    // act
    const result = await publish(
      batch(outboxRecord(1), outboxRecord(2, 'DeadlineAdded'), outboxRecord(3, 'PaymentRecorded')),
    );
    // assert
    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const [input] = calls();
    expect(input?.Entries?.map((e) => [e.Source, e.DetailType, e.EventBusName])).toEqual([
      [EVENT_SOURCE, 'GrantRegistered', BUS],
      [EVENT_SOURCE, 'DeadlineAdded', BUS],
      [EVENT_SOURCE, 'PaymentRecorded', BUS],
    ]);
    expect(JSON.parse(input?.Entries?.[1]?.Detail ?? '')).toEqual(detailFor('DeadlineAdded', eventIdOf(2)));
    expect(input?.Entries?.[0]?.Time).toEqual(new Date('2024-12-16T05:00:01.000Z'));
  });

  it('ignores items that are not outbox events, and MODIFY and REMOVE of outbox items', async () => {
    const { publish } = setup();
    const result = await publish(
      batch(
        grantRecord(1),
        streamRecord(2, outboxItem(2), 'MODIFY'),
        streamRecord(3, outboxItem(3), 'REMOVE'),
        streamRecord(4, { pk: 'NOTIFIED#x', sk: 'NOTIFIED', type: 'NOTIFIED' }),
      ),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('sends more than 10 events as several PutEvents of at most 10, in order', async () => {
    eventBridge
      .on(PutEventsCommand)
      .callsFake((input: PutEventsCommandInput) => ok(input.Entries?.length ?? 0));
    const { publish } = setup();
    const records = Array.from({ length: 23 }, (_, i) => outboxRecord(i + 1));
    const result = await publish(batch(grantRecord(100), ...records));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect(calls().map((input) => input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls().flatMap(sentEventIds)).toEqual(records.map((_, i) => eventIdOf(i + 1)));
  });

  it('retries entries EventBridge throttles, with backoff, until they go through', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce(refusing(2, [0, 1], 'ThrottlingException'))
      .resolvesOnce(ok(2));
    const { publish, delays } = setup();
    const result = await publish(batch(outboxRecord(1), outboxRecord(2)));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(calls().map(sentEventIds)).toEqual([
      [eventIdOf(1), eventIdOf(2)],
      [eventIdOf(1), eventIdOf(2)],
    ]);
    expect(delays).toHaveLength(1);
  });

  it('after a partial failure retries only the refused entries', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce(refusing(5, [1, 3]))
      .resolvesOnce(ok(2));
    const { publish } = setup();
    const result = await publish(batch(...[1, 2, 3, 4, 5].map((n) => outboxRecord(n))));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(calls().map(sentEventIds)).toEqual([[1, 2, 3, 4, 5].map(eventIdOf), [eventIdOf(2), eventIdOf(4)]]);
  });

  it('backs off exponentially with jitter between attempts', async () => {
    eventBridge.on(PutEventsCommand).resolves(refusing(1, [0]));
    const jittered = setup({ random: () => 0 });
    await jittered.publish(batch(outboxRecord(1)));
    const full = setup({ random: () => 0.999 });
    await full.publish(batch(outboxRecord(1)));
    // Equal jitter: half the ceiling plus up to another half; the ceiling doubles (100, 200, 400 ms).
    expect(jittered.delays).toEqual([50, 100, 200]);
    expect(full.delays).toEqual([100, 200, 400]);
  });

  it('reports the first record that still fails as the batch item failure, and sends no later batch', async () => {
    // arrange: the 4th entry of the first PutEvents is refused on every attempt
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      const ids = sentEventIds(input);
      return refusing(
        ids.length,
        ids.flatMap((id, i) => (id === eventIdOf(4) ? [i] : [])),
      );
    });
    const { publish, delays } = setup();
    const records = [grantRecord(0), ...Array.from({ length: 12 }, (_, i) => outboxRecord(i + 1))];
    // act
    const result = await publish(batch(...records));
    // assert: Lambda resumes at record 4; records 5–12 are not reported as done, nor sent again here
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: seq(4) }] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 4);
    expect(calls().slice(1).map(sentEventIds)).toEqual([[eventIdOf(4)], [eventIdOf(4)], [eventIdOf(4)]]);
    expect(delays).toHaveLength(3);
  });

  it('in a total outage reports every record from the first outbox record on', async () => {
    eventBridge.on(PutEventsCommand).rejects(sdkError('ServiceUnavailableException'));
    const { publish, errors } = setup();
    const result = await publish(batch(grantRecord(1), outboxRecord(2), outboxRecord(3)));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: seq(2) }] });
    // The SDK has retried already; the publisher leaves the next attempt to the event source.
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(errors).toHaveBeenCalledWith(
      'PutEvents failed',
      expect.objectContaining({ firstUnsentEventId: eventIdOf(2) }),
    );
  });

  it('when a later PutEvents throws, reports its first record and keeps the earlier ones done', async () => {
    eventBridge.on(PutEventsCommand).resolvesOnce(ok(10)).rejectsOnce(sdkError('ThrottlingException'));
    const { publish } = setup();
    const records = Array.from({ length: 15 }, (_, i) => outboxRecord(i + 1));
    const result = await publish(batch(...records));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: seq(11) }] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it.each([
    ['a detail that is not JSON', { detail: '{"eventId": ' }],
    ['an unknown detail-type', { detailType: 'GrantVanished' }],
    ['a detail that breaks its contract', { detail: JSON.stringify({ eventId: eventIdOf(2) }) }],
    ['a detail with another eventId', { detail: JSON.stringify(detailFor('GrantRegistered', 'evt-9999')) }],
    ['no occurredAt', { occurredAt: undefined }],
  ])('reports a malformed outbox item (%s) as a failure instead of dropping it', async (_, change) => {
    // arrange
    eventBridge.on(PutEventsCommand).resolves(ok(2));
    const { publish, errors } = setup();
    const malformed = streamRecord(2, { ...outboxItem(2), ...change });
    // act
    const result = await publish(batch(outboxRecord(1), malformed, outboxRecord(3)));
    // assert: the good events still go out; the bad one is reported so it ends in the DLQ
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: seq(2) }] });
    expect(calls().map(sentEventIds)).toEqual([[eventIdOf(1), eventIdOf(3)]]);
    expect(errors).toHaveBeenCalledWith(
      expect.stringContaining('Malformed outbox item'),
      expect.objectContaining({ eventId: eventIdOf(2), sequenceNumber: seq(2) }),
    );
  });

  it('reports an outbox INSERT without its new image as a failure', async () => {
    const { publish } = setup();
    const record = outboxRecord(1);
    const withoutImage = { ...record, dynamodb: { ...record.dynamodb, NewImage: undefined } };
    const result = await publish(batch(withoutImage));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: seq(1) }] });
  });

  it('reports the earliest of a malformed item and a later refused entry', async () => {
    eventBridge
      .on(PutEventsCommand)
      .callsFake((input: PutEventsCommandInput) =>
        refusing(input.Entries?.length ?? 0, [input.Entries?.length === 3 ? 2 : 0]),
      );
    const { publish } = setup();
    const malformed = streamRecord(2, { ...outboxItem(2), detail: 'nope' });
    const result = await publish(batch(outboxRecord(1), malformed, outboxRecord(3), outboxRecord(4)));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: seq(2) }] });
  });

  it('counts published events and failures as metrics', async () => {
    eventBridge.on(PutEventsCommand).resolves(ok(2));
    const metrics = { addMetric: vi.fn(), publishStoredMetrics: vi.fn() };
    const { publish } = setup({ metrics: metrics as unknown as Metrics });
    await publish(
      batch(outboxRecord(1), streamRecord(2, { ...outboxItem(2), detail: 'x' }), outboxRecord(3)),
    );
    expect(metrics.addMetric).toHaveBeenCalledWith('EventsPublished', 'Count', 2);
    expect(metrics.addMetric).toHaveBeenCalledWith('PublishFailures', 'Count', 1);
    expect(metrics.publishStoredMetrics).toHaveBeenCalledOnce();
  });
});
