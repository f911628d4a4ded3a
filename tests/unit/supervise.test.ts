import { describe, expect, it } from 'vitest';
import { supervise } from '../../lib/local/supervise';

/** A stand-in for a child process: it ends when the test says so. */
class FakeInstance {
  static started = 0;
  readonly id = ++FakeInstance.started;
  stopped = false;
  private end!: (how: string) => void;
  readonly exited = new Promise<string>((resolve) => {
    this.end = resolve;
  });
  die(how = 'signal SIGKILL') {
    this.end(how);
  }
  stop() {
    this.stopped = true;
    this.end('stopped');
    return Promise.resolve();
  }
}

const options = (overrides: { start?: () => Promise<FakeInstance> } = {}) => {
  const lines: string[] = [];
  const restarted: number[] = [];
  return {
    lines,
    restarted,
    config: {
      name: 'Fake store',
      start: overrides.start ?? (async () => new FakeInstance()),
      exited: (instance: FakeInstance) => instance.exited,
      stop: (instance: FakeInstance) => instance.stop(),
      onRestart: async (instance: FakeInstance) => {
        restarted.push(instance.id);
      },
      backoff: { baseMs: 1, maxMs: 8 },
      log: (line: string) => lines.push(line),
    },
  };
};

describe('local supervision', () => {
  it('starts an instance again when it ends on its own, and says so', async () => {
    // arrange
    const { config, lines, restarted } = options();
    const supervised = await supervise(config);
    const first = supervised.current;
    // act
    const next = supervised.nextRestart();
    first.die();
    const second = await next;
    // assert
    expect(second).not.toBe(first);
    expect(supervised.current).toBe(second);
    expect(supervised.restarts).toBe(1);
    expect(restarted).toEqual([second.id]);
    expect(lines[0]).toMatch(/^Fake store ended \(signal SIGKILL\); starting it again in 0\.0 s/);
    expect(lines[1]).toMatch(/^Fake store is running again, [\d.]+ s after it ended \(restart 1\)$/);
    await supervised.stop();
    expect(second.stopped).toBe(true);
  });

  it('keeps trying with a doubling wait while a start fails, then runs the one that started', async () => {
    // arrange: the second and third starts fail
    let calls = 0;
    const { config, lines } = options({
      start: async () => {
        calls++;
        if (calls === 2 || calls === 3) throw new Error(`port in use (${calls})\nmore detail`);
        return new FakeInstance();
      },
    });
    const supervised = await supervise(config);
    // act
    const next = supervised.nextRestart();
    supervised.current.die('code 1');
    await next;
    // assert
    expect(calls).toBe(4);
    expect(lines.filter((l) => l.includes('starting it again'))).toEqual([
      expect.stringContaining('ended (code 1); starting it again in 0.0 s'),
      expect.stringContaining('ended (start failed: port in use (2)); starting it again'),
      expect.stringContaining('ended (start failed: port in use (3)); starting it again'),
    ]);
    expect(lines.at(-1)).toMatch(/restart 1\)$/);
    await supervised.stop();
  });

  it('does not start anything again once stopped', async () => {
    // arrange
    let calls = 0;
    const { config } = options({
      start: async () => {
        calls++;
        return new FakeInstance();
      },
    });
    const supervised = await supervise(config);
    const first = supervised.current;
    // act
    await supervised.stop();
    first.die();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // assert
    expect(first.stopped).toBe(true);
    expect(calls).toBe(1);
    expect(supervised.restarts).toBe(0);
  });
});
