import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atelierInput } from '../support/fixtures';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

/**
 * A crash in the middle of a write burst: SIGKILL, then a restart on the same data dir. Every write
 * that was acknowledged must be there, and every committed change must reach events.jsonl
 * (duplicates allowed: consumers dedupe by eventId).
 */
describe('kill -9 in the middle of a write burst', () => {
  let stack: SpawnedStack | undefined;

  afterAll(async () => {
    await stack?.kill();
  });

  it('loses no acknowledged write and no committed event', async () => {
    // arrange
    stack = await spawnStack({ seed: false });
    const { dataDir } = stack;
    const token = await stack.token('lear-admin');
    const acknowledged: string[] = [];
    const paymentsAcknowledged: string[] = [];
    let crashed = false;
    const writer = async (n: number) => {
      for (let i = 0; !crashed; i++) {
        try {
          const response = await fetch(`${stack?.apiUrl}/grants`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(
              atelierInput({
                acronym: `CRASH-${n}-${i}`,
                awarded: { amount: '1000.00', currency: 'DKK' },
                exchangeRateToDkk: undefined,
              }),
            ),
          });
          if (response.status !== 201) continue;
          const { grantId } = (await response.json()) as { grantId: string };
          acknowledged.push(grantId);
          const paid = await fetch(`${stack?.apiUrl}/grants/${grantId}/payments`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              receivedOn: '2021-01-01',
              amount: { amount: '10.00', currency: 'DKK' },
              kind: 'INTERIM',
            }),
          });
          if (paid.status === 201) paymentsAcknowledged.push(grantId);
        } catch {
          // The connection died with the process: this write is not acknowledged.
        }
      }
    };

    // act: four writers; SIGKILL once a good number of writes went through
    const writers = [1, 2, 3, 4].map(writer);
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 20));
    await stack.kill();
    crashed = true;
    await Promise.all(writers);
    const publishedBeforeRestart = (await readFile(join(dataDir, 'events.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean).length;
    stack = await spawnStack({ dataDir, seed: false });

    // assert: every acknowledged write is there
    const finance = await stack.token('finance');
    for (const grantId of acknowledged) {
      const response = await fetch(`${stack.apiUrl}/grants/${grantId}`, {
        headers: { authorization: `Bearer ${finance}` },
      });
      expect(response.status, grantId).toBe(200);
      const grant = (await response.json()) as { payments: unknown[] };
      if (paymentsAcknowledged.includes(grantId)) expect(grant.payments, grantId).toHaveLength(1);
    }

    // and every committed change (acknowledged or not) has its events on the bus
    const committed: { grantId: string; payments: number }[] = [];
    let cursor = '';
    do {
      const page = (await (
        await fetch(`${stack.apiUrl}/grants?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
          headers: { authorization: `Bearer ${finance}` },
        })
      ).json()) as {
        items: { grantId: string; receivedDkk: { amount: string } }[];
        nextCursor: string | null;
      };
      for (const g of page.items)
        committed.push({ grantId: g.grantId, payments: g.receivedDkk.amount === '0.00' ? 0 : 1 });
      cursor = page.nextCursor ?? '';
    } while (cursor);
    expect(committed.length).toBeGreaterThanOrEqual(acknowledged.length);

    const published = async () => {
      const lines = (await readFile(join(dataDir, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean);
      const seen = new Map<string, Set<string>>();
      for (const line of lines) {
        const entry = JSON.parse(line) as { DetailType: string; Detail: string };
        const detail = JSON.parse(entry.Detail) as { eventId: string; grant: { grantId: string } };
        const types = seen.get(detail.grant.grantId) ?? new Set();
        types.add(entry.DetailType);
        seen.set(detail.grant.grantId, types);
      }
      return seen;
    };
    const missing = async () => {
      const seen = await published();
      return committed.filter(
        (c) =>
          !seen.get(c.grantId)?.has('GrantRegistered') ||
          (c.payments > 0 && !seen.get(c.grantId)?.has('PaymentRecorded')),
      );
    };
    const deadline = Date.now() + 30_000;
    let lost = await missing();
    while (lost.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      lost = await missing();
    }
    expect(lost).toEqual([]);
    const publishedAfter = (await readFile(join(dataDir, 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean).length;
    // Reported so a run shows the restart had events to catch up on (how many varies with timing).
    process.stdout.write(
      `crash: ${acknowledged.length} grants acknowledged, ${committed.length} committed; events on the bus ${publishedBeforeRestart} at the kill, ${publishedAfter} after the restart\n`,
    );
  });
});
