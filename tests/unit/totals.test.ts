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
        expected: 0,
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
        expected_dkk: '0.00',
        grant_count: '1',
      },
      {
        forvaltning: 'TMF',
        quarter: '2022-Q2',
        awarded_dkk: '0.00',
        received_dkk: '1000000.00',
        outstanding_dkk: '-1000000.00',
        expected_dkk: '0.00',
        grant_count: '0',
      },
    ]);
  });

  describe('expected payments (PRODUCT.md 2.7, 2.8)', () => {
    // ATELIER's balance and the retention, still to come: EUR 99,819.38 and 33,273.13 at 7.47.
    const withExpected: TotalsSubject = {
      ...atelier,
      expectedDkkByQuarter: { '2025-Q1': 74_565_077, '2025-Q3': 24_855_028 },
    };

    it('counts OPEN expected payments by the quarter of expectedOn, in every view, apart from outstanding', () => {
      // act
      const delta = totalsDelta(undefined, withExpected);
      // assert
      for (const view of ['S', 'Y', 'Q'] as const) {
        const { total } = groupTotals(itemsOf(delta, view), [], {});
        expect(total.expected).toBe(74_565_077 + 24_855_028);
        expect(total.outstanding).toBe(497_100_488 - 298_840_195);
        expect(total.grantCount).toBe(1);
      }
      const byQuarter = groupTotals(itemsOf(delta, 'Q'), ['quarter'], {}).groups;
      expect(byQuarter.map((g) => [g.key.quarter, g.expected])).toEqual([
        ['2019-Q4', 0],
        ['2022-Q2', 0],
        ['2025-Q1', 74_565_077],
        ['2025-Q3', 24_855_028],
      ]);
    });

    it('filters expected by its own year and groups it by year, programme and funder type', () => {
      const delta = totalsDelta(undefined, withExpected);
      const only2025 = groupTotals(itemsOf(delta, 'Y'), ['year'], { from: 2025, to: 2025 });
      expect(only2025.groups).toEqual([
        { key: { year: 2025 }, awarded: 0, received: 0, outstanding: 0, expected: 99_420_105, grantCount: 0 },
      ]);
      const byFunder = groupTotals(itemsOf(delta, 'Y'), ['funderType', 'programme'], {});
      expect(byFunder.groups.map((g) => [g.key.funderType, g.key.programme, g.expected])).toEqual([
        ['EU', 'H2020', 99_420_105],
      ]);
    });

    it('takes a settled or cancelled expected payment out again, exactly', () => {
      const settled: TotalsSubject = { ...withExpected, expectedDkkByQuarter: { '2025-Q3': 24_855_028 } };
      const delta = totalsDelta(withExpected, settled);
      expect([...delta.values()].every((amount) => amount === -74_565_077)).toBe(true);
      const after = itemsOf(
        new Map(
          [...totalsDelta(undefined, withExpected)].map(([k, v]) => [k, v + (delta.get(k) ?? 0)] as const),
        ),
        'S',
      );
      expect(groupTotals(after, [], {}).total.expected).toBe(24_855_028);
    });

    it('puts expected_dkk in the CSV', () => {
      const report = recomputeTotals(totalsDelta(undefined, withExpected), { groupBy: ['year'] });
      const rows = parse(totalsCsv(report), { bom: true, columns: true, record_delimiter: '\r\n' }) as Record<
        string,
        string
      >[];
      expect(rows.map((r) => [r.year, r.expected_dkk])).toEqual([
        ['2019', '0.00'],
        ['2022', '0.00'],
        ['2025', '994201.05'],
      ]);
      expect(report.total.expected).toBe('994201.05');
    });
  });
});
