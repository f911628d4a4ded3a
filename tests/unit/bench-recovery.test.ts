import { describe, expect, it } from 'vitest';
import { recoveryMs } from '../../bench/faults';

const answer = (status: number, startedAt: number, endedAt: number) => ({ status, startedAt, endedAt });

describe('recoveryMs (the bench figure faultRecoverySeconds)', () => {
  it('runs from the store coming back to the end of the last failed request sent after it', () => {
    // arrange
    const outcomes = [
      answer(503, 900, 3_400), // sent while the store was away: the fault itself, not recovery
      answer(503, 1_100, 3_600),
      answer(200, 1_200, 1_300),
      answer(429, 2_000, 4_500),
    ];
    // act
    const ms = recoveryMs(outcomes, 1_000);
    // assert
    expect(ms).toBe(3_500);
  });

  it('is 0 when nothing sent after the store came back failed', () => {
    expect(recoveryMs([answer(503, 0, 2_500), answer(201, 1_500, 1_900)], 1_000)).toBe(0);
  });

  it('leaves a request still waiting when the next fault struck to that fault', () => {
    // arrange: the next fault begins at 10 s; a write sent at 9.6 s is answered 503 at 10.4 s
    const outcomes = [answer(200, 2_000, 2_100), answer(503, 9_600, 10_400), answer(0, 9_900, 12_000)];
    // act
    const ms = recoveryMs(outcomes, 1_000, 10_000);
    // assert
    expect(ms).toBe(0);
    expect(recoveryMs(outcomes, 1_000)).toBe(11_000);
  });
});
