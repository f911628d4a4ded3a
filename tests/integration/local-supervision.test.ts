import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBridgeClient } from '../../lib/adapters/clients';
import { type LocalBus, startLocalBus } from '../../lib/local/bus';

/** The local bus is supervised like DynamoDB Local: a listener that dies listens again on the same port. */
describe('the local bus when its listener dies', () => {
  let dataDir: string;
  let bus: LocalBus;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'funding-tracker-bus-'));
    bus = await startLocalBus({ dataDir, busName: 'supervised-bus', log: (line) => lines.push(line) });
  });

  afterAll(async () => {
    await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const put = (n: number) =>
    createEventBridgeClient(bus.endpoint).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'funding-tracker',
            DetailType: 'GrantRegistered',
            Detail: JSON.stringify({ n }),
            EventBusName: 'supervised-bus',
          },
        ],
      }),
    );

  it('listens again on the same port and keeps appending to the same events.jsonl', async () => {
    // arrange
    await put(1);
    const port = new URL(bus.endpoint).port;
    // act
    bus.crashListener();
    for (let i = 0; i < 100 && !lines.some((l) => l.includes('is running again')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const after = await put(2);
    // assert
    expect(after.FailedEntryCount).toBe(0);
    expect(lines).toContain(
      'The local bus ended (its listener stopped); starting it again in 0.3 s on the same data and port (the publisher retries its events meanwhile)',
    );
    expect(
      lines.some((l) => /^The local bus is running again, [\d.]+ s after it ended \(restart 1\)$/.test(l)),
    ).toBe(true);
    expect(new URL(bus.endpoint).port).toBe(port);
    const logged = (await readFile(join(dataDir, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(logged.map((line) => JSON.parse((JSON.parse(line) as { Detail: string }).Detail))).toEqual([
      { n: 1 },
      { n: 2 },
    ]);
  });

  it('does not listen again once it was closed on purpose', async () => {
    // arrange: a bus of its own
    const own: string[] = [];
    const other = await startLocalBus({ dataDir, busName: 'closed-bus', log: (line) => own.push(line) });
    // act
    await other.close();
    await new Promise((resolve) => setTimeout(resolve, 400));
    // assert
    expect(own.filter((l) => l.includes('starting it again'))).toEqual([]);
    await expect(fetch(other.endpoint, { method: 'POST' })).rejects.toThrow();
  });
});
