import { describe, expect, it } from 'vitest';
import { nextSweepAt } from '../../lib/local/schedule';

/** Local mode sweeps at 06:00 Copenhagen time, like the Scheduler schedule in AWS. */
describe('the local sweep schedule', () => {
  it.each([
    ['winter: 06:00 CET is 05:00 UTC', '2026-01-15T12:00:00Z', '2026-01-16T05:00:00.000Z'],
    ['summer: 06:00 CEST is 04:00 UTC', '2026-07-15T03:00:00Z', '2026-07-15T04:00:00.000Z'],
    ['the night clocks go forward', '2026-03-28T20:00:00Z', '2026-03-29T04:00:00.000Z'],
    ['the night clocks go back', '2026-10-24T20:00:00Z', '2026-10-25T05:00:00.000Z'],
    ['exactly at 06:00 the next one is tomorrow', '2026-01-16T05:00:00Z', '2026-01-17T05:00:00.000Z'],
  ])('%s', (_what, from, expected) => {
    expect(nextSweepAt(new Date(from)).toISOString()).toBe(expected);
  });
});
