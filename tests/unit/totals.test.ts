import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { totalsCsv } from '../../functions/totals-api/app';
import {
  groupTotals,
  parseCells,
  type TotalsSubject,
  type TotalsView,
  totalsDelta,
  viewFor,
} from '../../lib/domain/totals';
import { recomputeTotals } from '../../lib/use-cases/totals';

const atelier: TotalsSubject = {
  status: 'ACTIVE',
  forvaltning: 'TMF',
  programme: 'H2020',
  startDate: '2019-11-01',
  awardedDkkMinor: 497_100_488,
  receivedDkkByQuarter: { '2019-Q4': 198_840_195, '2022-Q2': 100_000_000 },
};

/** Cells per view from a delta, as the view items would hold them. */
const itemsOf = (delta: Map<string, number>, view: TotalsView) => {
  const items = new Map<string, Record<string, number>>();
  for (const [key, amount] of delta) {
    const [v, bucket, name] = key.split('|') as [string, string, string];
    if (v === view) items.set(bucket, { ...items.get(bucket), [name]: amount });
  }
  return [...items].flatMap(([bucket, item]) => parseCells(view, bucket, item));
};

describe('materialised totals', () => {
  it('puts awarded and the count in the start quarter and each payment in its own quarter, in every view', () => {
    const delta = totalsDelta(undefined, atelier);
    for (const view of ['S', 'Y', 'Q'] as const) {
      const { total } = groupTotals(itemsOf(delta, view), [], {});
      expect(total).toEqual({
        awarded: 497_100_488,
        received: 298_840_195,
        outstanding: 497_100_488 - 298_840_195,
        grantCount: 1,
      });
    }
    const byQuarter = groupTotals(itemsOf(delta, 'Q'), ['quarter'], {}).groups;
    expect(byQuarter.map((g) => [g.key.quarter, g.awarded, g.received])).toEqual([
      ['2019-Q4', 497_100_488, 198_840_195],
      ['2022-Q2', 0, 100_000_000],
    ]);
  });

  it('counts awarded only for AWARDED, ACTIVE and CLOSED grants, and received for every status', () => {
    for (const status of ['APPLIED', 'REJECTED', 'TERMINATED'] as const) {
      const { total } = groupTotals(itemsOf(totalsDelta(undefined, { ...atelier, status }), 'S'), [], {});
      expect(total.awarded).toBe(0);
      expect(total.received).toBe(298_840_195);
      expect(total.outstanding).toBe(0);
      expect(total.grantCount).toBe(1);
    }
  });

  it('moves a grant between cells when its status, forvaltning or programme changes, and cancels out exactly', () => {
    const moved = {
      ...atelier,
      status: 'CLOSED' as const,
      forvaltning: 'OKF',
      programme: 'HORIZON_EUROPE' as const,
    };
    const delta = totalsDelta(atelier, moved);
    const after = new Map(totalsDelta(undefined, atelier));
    for (const [k, v] of delta) after.set(k, (after.get(k) ?? 0) + v);
    for (const [k, v] of after) if (v === 0) after.delete(k);
    expect(after).toEqual(totalsDelta(undefined, moved));
    expect(totalsDelta(atelier, atelier).size).toBe(0);
  });

  it('answers each request from the smallest view that has its dimensions', () => {
    expect(viewFor(['forvaltning'], {})).toBe('S');
    expect(viewFor([], { status: 'ACTIVE', forvaltning: 'TMF' })).toBe('S');
    expect(viewFor(['forvaltning'], { from: 2020 })).toBe('Y');
    expect(viewFor(['programme'], {})).toBe('Y');
    expect(viewFor([], { funderType: 'EU' })).toBe('Y');
    expect(viewFor(['forvaltning', 'quarter'], {})).toBe('Q');
  });

  it('filters by funder type and years and groups freely', () => {
    const ssc: TotalsSubject = {
      status: 'CLOSED',
      forvaltning: 'OKF',
      programme: 'SSC',
      startDate: '2018-01-01',
      awardedDkkMinor: 1_000_000_000,
      receivedDkkByQuarter: { '2018-Q1': 400_000_000, '2020-Q3': 600_000_000 },
    };
    const delta = totalsDelta(undefined, atelier);
    for (const [k, v] of totalsDelta(undefined, ssc)) delta.set(k, (delta.get(k) ?? 0) + v);
    const cells = itemsOf(delta, 'Y');
    const eu = groupTotals(cells, ['forvaltning'], { funderType: 'EU' });
    expect(eu.groups.map((g) => g.key.forvaltning)).toEqual(['TMF']);
    const byFunder = groupTotals(cells, ['funderType', 'year'], { from: 2019, to: 2020 });
    expect(byFunder.groups.map((g) => [g.key.funderType, g.key.year, g.received])).toEqual([
      ['DK_STATE', 2020, 600_000_000],
      ['EU', 2019, 198_840_195],
    ]);
  });

  it('writes RFC 4180 CSV with a BOM that a CSV parser reads back to the same numbers', () => {
    const report = recomputeTotals(totalsDelta(undefined, atelier), { groupBy: ['forvaltning', 'quarter'] });
    const csv = totalsCsv(report);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('\r\n');
    const rows = parse(csv, { bom: true, columns: true, record_delimiter: '\r\n' }) as Record<
      string,
      string
    >[];
    expect(rows).toEqual([
      {
        forvaltning: 'TMF',
        quarter: '2019-Q4',
        awarded_dkk: '4971004.88',
        received_dkk: '1988401.95',
        outstanding_dkk: '2982602.93',
        grant_count: '1',
      },
      {
        forvaltning: 'TMF',
        quarter: '2022-Q2',
        awarded_dkk: '0.00',
        received_dkk: '1000000.00',
        outstanding_dkk: '-1000000.00',
        grant_count: '0',
      },
    ]);
  });
});
