import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../lib/api/problem';
import { atelierInput } from '../support/fixtures';
import { type SpawnedStack, spawnStack } from '../support/local-stack';

/**
 * The store failing under the running stack, as an operator would see it: DynamoDB Local paused
 * (`kill -STOP`), then killed (`kill -9`). Requests get 503 with Retry-After in bounded time (never a
 * 500, never a hang), local mode starts DynamoDB Local again by itself, and every write that was
 * acknowledged is there afterwards, with its events on the bus.
 */

/** The bound for an answer while the store does not answer; measured times are reported. */
const ANSWER_BOUND_MS = 5_000;

const dynamoPid = async (stack: SpawnedStack) =>
  Number((await readFile(join(stack.dataDir, 'dynamodb.pid'), 'utf8')).trim());

const timedFetch = async (url: string, init?: RequestInit) => {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  return { response, body, ms: performance.now() - started };
};

describe('the store paused and killed under the running stack', () => {
  let stack: SpawnedStack;
  let lear: string;
  const acknowledged: string[] = [];
  const measured: Record<string, number> = {};

  const register = (acronym: string) =>
    timedFetch(`${stack.apiUrl}/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lear}`, 'content-type': 'application/json' },
      body: JSON.stringify(
        atelierInput({
          acronym,
          awarded: { amount: '1000.00', currency: 'DKK' },
          exchangeRateToDkk: undefined,
        }),
      ),
    });

  const expectUnavailable = (result: Awaited<ReturnType<typeof timedFetch>>, what: string) => {
    expect(result.response.status, `${what}: ${result.body}`).toBe(503);
    expect(Number(result.response.headers.get('retry-after')), what).toBeGreaterThan(0);
    expect(result.ms, what).toBeLessThan(ANSWER_BOUND_MS);
  };

  beforeAll(async () => {
    stack = await spawnStack({ seed: false });
    lear = await stack.token('lear-admin');
    // A freshly started DynamoDB Local on a busy machine may be slow at first: retry as a client would.
    for (let i = 0; i < 5; i++) {
      let result = await register(`FAULT-BEFORE-${i}`);
      for (let attempt = 0; result.response.status === 503 && attempt < 10; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        result = await register(`FAULT-BEFORE-${i}`);
      }
      expect(result.response.status, result.body).toBe(201);
      acknowledged.push((JSON.parse(result.body) as { grantId: string }).grantId);
    }
  });

  afterAll(async () => {
    const pid = stack ? await dynamoPid(stack).catch(() => 0) : 0;
    if (pid) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone already
      }
    }
    await stack?.kill();
    process.stdout.write(`faults: ${JSON.stringify(measured)}\n`);
  });

  it('answers 503 with Retry-After within 5 s while the store is paused, /health too, and 200 once it resumes', async () => {
    // arrange
    const pid = await dynamoPid(stack);
    process.kill(pid, 'SIGSTOP');
    try {
      // act
      const list = await timedFetch(`${stack.apiUrl}/grants`, {
        headers: { authorization: `Bearer ${lear}` },
      });
      const write = await register('FAULT-PAUSED');
      const health = await timedFetch(`${stack.apiUrl}/health`);
      // assert
      expectUnavailable(list, 'GET /grants');
      expectUnavailable(write, 'POST /grants');
      expectUnavailable(health, 'GET /health');
      const problem = JSON.parse(list.body) as Problem;
      expect(list.response.headers.get('content-type')).toBe('application/problem+json');
      expect(problem).toMatchObject({ status: 503, title: 'Service unavailable' });
      measured.pausedListMs = Math.round(list.ms);
      measured.pausedWriteMs = Math.round(write.ms);
      measured.pausedHealthMs = Math.round(health.ms);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const resumed = await timedFetch(`${stack.apiUrl}/health`);
    expect(resumed.response.status).toBe(200);
    measured.resumedHealthMs = Math.round(resumed.ms);
  });

  it('answers 503 while the store is killed, starts it again by itself, then 200 with every acknowledged write', async () => {
    // arrange
    const pid = await dynamoPid(stack);
    const killedAt = performance.now();
    process.kill(pid, 'SIGKILL');

    // act: a client that keeps trying, as the importer and the web app do
    const statuses = new Map<number, number>();
    let firstOk: number | undefined;
    let afterRestart: string | undefined;
    for (let i = 0; firstOk === undefined && performance.now() - killedAt < 90_000; i++) {
      const result = await register(`FAULT-KILLED-${i}`);
      statuses.set(result.response.status, (statuses.get(result.response.status) ?? 0) + 1);
      expect(result.ms).toBeLessThan(ANSWER_BOUND_MS);
      if (result.response.status === 201) {
        firstOk = performance.now();
        afterRestart = (JSON.parse(result.body) as { grantId: string }).grantId;
        acknowledged.push(afterRestart);
      } else {
        expectUnavailable(result, `POST /grants ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }

    // assert: only 503 until it was back, and back without a restart of the stack
    expect(firstOk, `statuses ${JSON.stringify([...statuses])}`).toBeDefined();
    expect([...statuses.keys()].sort()).toEqual([201, 503]);
    expect(await dynamoPid(stack)).not.toBe(pid);
    expect(stack.child.exitCode).toBeNull();
    expect(stack.output()).toMatch(/DynamoDB Local ended \(signal SIGKILL\); starting it again/);
    expect(stack.output()).toMatch(/DynamoDB Local is running again/);
    measured.killedUntilOkSeconds = Math.round(((firstOk ?? 0) - killedAt) / 100) / 10;
    measured.answersWhileDown = statuses.get(503) ?? 0;

    const health = await timedFetch(`${stack.apiUrl}/health`);
    expect(health.response.status).toBe(200);
    const finance = await stack.token('finance');
    for (const grantId of acknowledged) {
      const read = await timedFetch(`${stack.apiUrl}/grants/${grantId}`, {
        headers: { authorization: `Bearer ${finance}` },
      });
      expect(read.response.status, grantId).toBe(200);
    }

    // and the stream poller picked up where it was: every acknowledged grant's event on the bus
    const registeredOnBus = async () => {
      const lines = (await readFile(join(stack.dataDir, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean);
      return new Set(
        lines
          .map((line) => JSON.parse(line) as { DetailType: string; Detail: string })
          .filter((entry) => entry.DetailType === 'GrantRegistered')
          .map((entry) => (JSON.parse(entry.Detail) as { grant: { grantId: string } }).grant.grantId),
      );
    };
    const deadline = Date.now() + 60_000;
    let missing: string[] = [];
    do {
      const seen = await registeredOnBus();
      missing = acknowledged.filter((grantId) => !seen.has(grantId));
      if (missing.length) await new Promise((resolve) => setTimeout(resolve, 500));
    } while (missing.length && Date.now() < deadline);
    expect(missing).toEqual([]);
  });
});
