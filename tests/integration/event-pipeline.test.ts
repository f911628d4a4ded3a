import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { type AlertDetailType, EVENT_CATALOGUE, putEventsEntry } from '../../events/contracts';
import { alertsToNotifier } from '../../events/rules';
import { createPublisher } from '../../functions/publisher/app';
import { createEventBridgeClient } from '../../lib/adapters/clients';
import { type LocalBus, startLocalBus } from '../../lib/local/bus';
import { type EventPipeline, LOCAL_BUS_NAME, startEventPipeline } from '../../lib/local/pipeline';
import { type StreamPoller, startStreamPoller } from '../../lib/local/stream-poller';
import { EVENT_SOURCE } from '../../lib/shared/names';
import * as grants from '../../lib/use-cases/grants';
import { atelierInput, caller } from '../support/fixtures';
import { freshLedger } from '../support/ledger';

// The handlers' Powertools loggers read this when the pipeline builds them; the failures these tests
// provoke on purpose would otherwise fill the output.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// The notifier links every e-mail into the web application at the deployment's public URL.
const PUBLIC_BASE_URL = 'http://127.0.0.1:3000';
process.env.PUBLIC_BASE_URL = PUBLIC_BASE_URL;

type Env = Awaited<ReturnType<typeof freshLedger>>;

interface LogLine {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time: string;
}

const readLines = async (file: string): Promise<LogLine[]> => {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);
};

const eventIdOf = (line: LogLine) => (JSON.parse(line.Detail) as { eventId: string }).eventId;

/** Test-only inspection of what the ledger committed: every outbox event's id and occurredAt. */
const committedEvents = async (env: Env): Promise<Map<string, string>> => {
  const { Items = [] } = await env.db.send(
    new ScanCommand({ TableName: env.tableName, ConsistentRead: true }),
  );
  return new Map(
    Items.filter((item) => item.type === 'OUTBOX').map((item) => [
      String(item.eventId),
      String(item.occurredAt),
    ]),
  );
};

const countBy = (ids: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
};

const emlFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.eml')).sort();

/** The catalogue's example of an alert, as the sweeper would put it on the bus. */
const alertEntry = (detailType: AlertDetailType, detail: unknown = EVENT_CATALOGUE[detailType].example) =>
  ({ ...putEventsEntry(detailType, detail as never, LOCAL_BUS_NAME) }) as PutEventsRequestEntry;

const busClient = (endpoint: string) =>
  new EventBridgeClient({
    endpoint,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

const decodeSubject = (eml: string): string => {
  const header = /^Subject: ((?:.*)(?:\r\n .*)*)/m.exec(eml)?.[1] ?? '';
  return header
    .split('\r\n ')
    .map((word) => {
      const encoded = /^=\?UTF-8\?B\?(.*)\?=$/.exec(word)?.[1];
      return encoded === undefined ? word : Buffer.from(encoded, 'base64').toString('utf8');
    })
    .join('');
};

describe('the local event pipeline on DynamoDB Local', () => {
  const endpoint = inject('dynamoEndpoint');
  let env: Env;
  let dataDir: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  const start = async (): Promise<EventPipeline> => {
    const pipeline = await startEventPipeline({
      dataDir,
      dynamoEndpoint: endpoint,
      tableName: env.tableName,
    });
    cleanups.push(() => pipeline.stop());
    return pipeline;
  };

  const register = (acronym: string) => grants.registerGrant(env.ports, atelierInput({ acronym }), caller);

  beforeEach(async () => {
    env = await freshLedger(endpoint);
    dataDir = await mkdtemp(join(tmpdir(), 'ft-pipeline-'));
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('puts every committed event on the bus once, as one events.jsonl line in the PutEvents entry shape', async () => {
    // arrange
    const pipeline = await start();
    // act: 3 grants × (GrantRegistered + 3 DeadlineAdded), then a change of one of them
    const first = await register('ATELIER');
    await register('SHARING');
    await register('REFLOW');
    await grants.updateGrant(env.ports, first.grantId, { title: 'ATELIER, renamed' }, 1, caller);
    await pipeline.drain();
    // assert
    const committed = await committedEvents(env);
    expect(committed.size).toBe(13);
    const lines = await readLines(pipeline.eventsFile);
    expect(lines.map(eventIdOf).sort()).toEqual([...committed.keys()].sort());
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['Source', 'DetailType', 'Detail', 'EventBusName', 'Time']);
      expect(line.Source).toBe(EVENT_SOURCE);
      expect(line.EventBusName).toBe(LOCAL_BUS_NAME);
      expect(typeof line.Detail).toBe('string');
      expect(line.Time).toBe(committed.get(eventIdOf(line)));
    }
    expect(lines.map((l) => l.DetailType).filter((t) => t === 'GrantRegistered')).toHaveLength(3);
    expect(lines.map((l) => l.DetailType)).toContain('GrantUpdated');
    const checkpoint = JSON.parse(await readFile(join(dataDir, 'stream-checkpoint.json'), 'utf8'));
    expect(Object.values(checkpoint.shards as Record<string, { after?: string }>)[0]?.after).toMatch(/^\d+$/);
  });

  it('publishes what was committed while the pipeline was stopped, and nothing twice', async () => {
    // arrange: one grant published, then the pipeline stops
    const before = await start();
    await register('BEFORE');
    await before.drain();
    await before.stop();
    // act: a commit with nothing running, then a new pipeline on the same data dir
    await register('DOWNTIME');
    const after = await start();
    await after.drain();
    // assert
    const lines = await readLines(after.eventsFile);
    const committed = await committedEvents(env);
    expect(committed.size).toBe(8);
    expect(lines.map(eventIdOf).sort()).toEqual([...committed.keys()].sort());
  });

  it('loses nothing when the bus refuses entries and then fails whole requests', async () => {
    // arrange
    const pipeline = await start();
    pipeline.bus.failNext(5, 'entries');
    // act: 5 refusals outlast the publisher's 4 attempts, so the poller retries the batch
    await register('REFUSED');
    await pipeline.drain();
    pipeline.bus.failNext(6, 'outage');
    await register('OUTAGE');
    await pipeline.drain();
    // assert
    const committed = await committedEvents(env);
    const seen = countBy((await readLines(pipeline.eventsFile)).map(eventIdOf));
    for (const eventId of committed.keys()) expect(seen.get(eventId) ?? 0).toBeGreaterThanOrEqual(1);
    expect(seen.size).toBe(8);
    expect(pipeline.bus.putEventsCalls).toBeGreaterThanOrEqual(13);
  });

  it('after a crash mid-stream, a new poller on the same checkpoint resumes after the last batch done', async () => {
    // arrange: 12 events committed before anything reads the stream
    for (const acronym of ['ONE', 'TWO', 'THREE']) await register(acronym);
    const bus: LocalBus = await startLocalBus({ dataDir, busName: LOCAL_BUS_NAME });
    cleanups.push(() => bus.close());
    const publish = createPublisher({
      eventBridge: createEventBridgeClient(bus.endpoint),
      busName: LOCAL_BUS_NAME,
      logger: new Logger({ serviceName: 'publisher-test', logLevel: 'SILENT' }),
      sleep: async () => undefined,
    });
    const options = {
      dynamoEndpoint: endpoint,
      tableName: env.tableName,
      checkpointFile: join(dataDir, 'stream-checkpoint.json'),
      batchSize: 3,
    };
    /** The outbox eventIds of each stream batch that had any (the stream carries every ledger write). */
    const published: string[][] = [];
    const outboxIds = (event: DynamoDBStreamEvent) =>
      event.Records.flatMap((r) => {
        const pk = r.dynamodb?.Keys?.pk?.S ?? '';
        return r.eventName === 'INSERT' && pk.startsWith('OUTBOX#') ? [pk.slice('OUTBOX#'.length)] : [];
      });
    let crashed: Promise<void> | undefined;
    // act: the second batch with events reaches the bus, then the process "dies" before its checkpoint
    const crashing: Promise<StreamPoller> = startStreamPoller({
      ...options,
      handler: async (event) => {
        const result = await publish(event);
        const ids = outboxIds(event);
        if (ids.length > 0) published.push(ids);
        if (published.length === 2 && !crashed) crashed = (await crashing).halt();
        return result;
      },
    });
    await crashing;
    await expect.poll(() => crashed !== undefined, { timeout: 10_000 }).toBe(true);
    await crashed;
    const beforeRestart = (await readLines(bus.eventsFile)).map(eventIdOf);
    const restarted = await startStreamPoller({ ...options, handler: publish });
    cleanups.push(() => restarted.stop());
    await restarted.drain();
    // assert
    const [done = [], inHand = []] = published;
    expect(beforeRestart).toEqual([...done, ...inHand]);
    const lines = (await readLines(bus.eventsFile)).map(eventIdOf);
    const committed = await committedEvents(env);
    expect(committed.size).toBe(12);
    const seen = countBy(lines);
    for (const eventId of committed.keys()) expect(seen.get(eventId) ?? 0).toBeGreaterThanOrEqual(1);
    // The batch checkpointed is not sent again; the one in hand at the crash is: at least once, never lost.
    expect(done.map((id) => seen.get(id))).toEqual(done.map(() => 1));
    expect(inHand.map((id) => seen.get(id))).toEqual(inHand.map(() => 2));
    expect(lines).toHaveLength(committed.size + inHand.length);
  });

  it('e-mails an alert once to the outbox folder, however often the bus delivers it', async () => {
    // arrange
    const pipeline = await start();
    const client = busClient(pipeline.eventBusEndpoint);
    const approaching = alertEntry('DeadlineApproaching');
    const expired = alertEntry('GrantExpired');
    // act
    const first = await client.send(new PutEventsCommand({ Entries: [approaching, expired] }));
    await pipeline.drain();
    const afterFirst = await emlFiles(pipeline.outboxDir);
    await client.send(new PutEventsCommand({ Entries: [approaching, expired] }));
    await pipeline.drain();
    // assert
    expect(first.FailedEntryCount).toBe(0);
    expect(first.Entries?.every((e) => e.EventId)).toBe(true);
    const approachingId = EVENT_CATALOGUE.DeadlineApproaching.example.eventId;
    const expiredId = EVENT_CATALOGUE.GrantExpired.example.eventId;
    expect(afterFirst).toEqual([
      `20210401T040000Z-${expiredId}.eml`,
      `20241216T050000Z-${approachingId}.eml`,
    ]);
    expect(await emlFiles(pipeline.outboxDir)).toEqual(afterFirst);
    const eml = await readFile(join(pipeline.outboxDir, afterFirst[0] ?? ''), 'utf8');
    expect(eml).toContain('To: mobilitet@okf.kk.dk\r\n');
    expect(eml).toContain(`Message-ID: <${expiredId}@funding-tracker.local>`);
    expect(eml).toContain('Content-Type: text/plain; charset=utf-8');
    expect(decodeSubject(eml)).toBe('[Øresundsmetro] Finansieringen er udløbet / Funding has ended');
    expect(eml).toContain('Sidste finansieringsdag: onsdag den 31. marts 2021 (2021-03-31)');
    const grantId = EVENT_CATALOGUE.GrantExpired.example.grant.grantId;
    expect(eml).toContain(`Open the grant: ${PUBLIC_BASE_URL}/app/grants/${grantId}\r\n`);
    const notified = await env.db.send(
      new GetCommand({ TableName: env.tableName, Key: { pk: `NOTIFIED#${approachingId}`, sk: 'NOTIFIED' } }),
    );
    expect(notified.Item?.expiresAt).toEqual(expect.any(Number));
    // The audit trail has every put, repeats included.
    expect((await readLines(pipeline.eventsFile)).map(eventIdOf)).toHaveLength(4);
  });

  it('makes one e-mail of two deliveries of one alert at the same moment', async () => {
    const pipeline = await start();
    const missed = alertEntry('DeadlineMissed');
    await busClient(pipeline.eventBusEndpoint).send(
      new PutEventsCommand({ Entries: [missed, missed, missed] }),
    );
    await pipeline.drain();
    expect(await emlFiles(pipeline.outboxDir)).toHaveLength(1);
  });

  it('dead-letters an alert the notifier keeps refusing, and sends no e-mail for it', async () => {
    const pipeline = await start();
    const { recipients: _, ...broken } = EVENT_CATALOGUE.DeadlineApproaching.example;
    const result = await busClient(pipeline.eventBusEndpoint).send(
      new PutEventsCommand({ Entries: [alertEntry('DeadlineApproaching', broken)] }),
    );
    await pipeline.drain();
    expect(result.FailedEntryCount).toBe(0);
    const deadLetters = await readLines(join(dataDir, 'dead-letter', `${alertsToNotifier.id}.jsonl`));
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      ruleId: alertsToNotifier.id,
      attempts: 3,
      event: { 'detail-type': 'DeadlineApproaching', detail: { eventId: broken.eventId } },
    });
    expect(await emlFiles(pipeline.outboxDir)).toEqual([]);
  });

  it('speaks PutEvents to the real SDK and refuses everything else with a JSON error', async () => {
    const pipeline = await start();
    const client = busClient(pipeline.eventBusEndpoint);
    await expect(client.send(new ListRulesCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
    });
    const elsewhere = await client.send(
      new PutEventsCommand({ Entries: [{ ...alertEntry('GrantExpiring'), EventBusName: 'another-bus' }] }),
    );
    expect(elsewhere.FailedEntryCount).toBe(1);
    expect(elsewhere.Entries?.[0]?.ErrorCode).toBe('ResourceNotFoundException');
    const eleven = Array.from({ length: 11 }, () => alertEntry('GrantExpiring'));
    await expect(client.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const raw = await fetch(pipeline.eventBusEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.DeleteRule' },
      body: '{}',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ __type: 'UnknownOperationException' });
    expect(await readLines(pipeline.eventsFile)).toEqual([]);
  });

  it('closes off a line cut short by a crash before appending the next', async () => {
    await writeFile(join(dataDir, 'events.jsonl'), '{"Source":"funding-tracker","DetailTy');
    const bus = await startLocalBus({ dataDir, busName: LOCAL_BUS_NAME });
    cleanups.push(() => bus.close());
    await busClient(bus.endpoint).send(new PutEventsCommand({ Entries: [alertEntry('GrantExpiring')] }));
    const text = await readFile(bus.eventsFile, 'utf8');
    const [cut, whole, rest] = text.split('\n');
    expect(cut).toBe('{"Source":"funding-tracker","DetailTy');
    expect(JSON.parse(whole ?? '')).toMatchObject({ DetailType: 'GrantExpiring' });
    expect(rest).toBe('');
  });
});
