import { describe, expect, it } from 'vitest';
import { CircuitBreaker, StoreCircuitOpenError } from '../../lib/adapters/circuit-breaker';
import { storeFailureOf } from '../../lib/adapters/store-failures';

const refused = () =>
  Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
const answered = () => Promise.resolve('ok');

describe('the circuit breaker in front of the store', () => {
  const setup = () => {
    let now = 1_000;
    const breaker = new CircuitBreaker({ failures: 3, openMs: 500 }, () => now);
    return { breaker, advance: (ms: number) => (now += ms) };
  };

  it('stays closed while calls succeed or fail less often in a row than it takes', async () => {
    const { breaker } = setup();
    await expect(breaker.run(refused)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(breaker.run(refused)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(breaker.run(answered)).resolves.toBe('ok');
    await expect(breaker.run(refused)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(breaker.state).toBe('closed');
  });

  it('opens after that many failures in a row and then fails at once, without calling the store', async () => {
    // arrange
    const { breaker } = setup();
    for (let i = 0; i < 3; i++) await breaker.run(refused).catch(() => undefined);
    let called = false;
    // act
    const attempt = breaker.run(async () => {
      called = true;
      return 'ok';
    });
    // assert
    await expect(attempt).rejects.toBeInstanceOf(StoreCircuitOpenError);
    expect(called).toBe(false);
    expect(breaker.state).toBe('open');
    const error = await attempt.catch((e: unknown) => e);
    expect(storeFailureOf(error)).toEqual({ kind: 'unavailable', retryAfterSeconds: 3 });
  });

  it('lets one probe through once the pause is over: its success closes it', async () => {
    // arrange
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) await breaker.run(refused).catch(() => undefined);
    advance(500);
    expect(breaker.state).toBe('half-open');
    let release: (value: string) => void = () => undefined;
    // act: the probe is under way; a second call meanwhile fails at once
    const probe = breaker.run(() => new Promise<string>((resolve) => (release = resolve)));
    const meanwhile = breaker.run(answered);
    release('ok');
    // assert
    await expect(meanwhile).rejects.toBeInstanceOf(StoreCircuitOpenError);
    await expect(probe).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    await expect(breaker.run(answered)).resolves.toBe('ok');
  });

  it('opens again for another pause when the probe fails', async () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) await breaker.run(refused).catch(() => undefined);
    advance(500);
    await expect(breaker.run(refused)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(breaker.state).toBe('open');
    advance(499);
    await expect(breaker.run(answered)).rejects.toBeInstanceOf(StoreCircuitOpenError);
    advance(1);
    await expect(breaker.run(answered)).resolves.toBe('ok');
  });
});
