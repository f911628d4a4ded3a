import { describe, expect, it } from 'vitest';
import {
  measuresByGroup,
  minorOf,
  receivedByForvaltning,
  receivedByYearAndFunderType,
  seriesTotal,
  type TotalsLike,
} from '../../web/src/pages/overview/series';

const group = (
  key: Record<string, string | number>,
  received: string,
  awarded = '0.00',
  outstanding = '0.00',
) => ({
  key,
  awarded,
  received,
  outstanding,
  grantCount: 1,
});

const fine: TotalsLike = {
  groupBy: ['forvaltning', 'funderType', 'year'],
  groups: [
    group({ forvaltning: 'KFF', funderType: 'EU', year: 2014 }, '1000000.10'),
    group({ forvaltning: 'KFF', funderType: 'EU', year: 2016 }, '2550000.90'),
    group({ forvaltning: 'OKF', funderType: 'DK_STATE', year: 2016 }, '20000000.00'),
    group({ forvaltning: 'TMF', funderType: 'EU', year: 2016 }, '0.01'),
    group({ forvaltning: 'TMF', funderType: 'DK_REGION', year: 2013 }, '0.00', '500.00', '500.00'),
  ],
  total: { awarded: '500.00', received: '23550001.01', outstanding: '500.00', grantCount: 5 },
};

describe('chart figures from GET /totals', () => {
  it('reads signed decimal strings as exact øre', () => {
    expect(minorOf('665462.50')).toBe(66546250);
    expect(minorOf('-0.07')).toBe(-7);
    expect(minorOf('-1234.5')).toBe(-123450);
  });

  it('sums received per forvaltning exactly, every configured forvaltning shown', () => {
    // act
    const chart = receivedByForvaltning(fine);
    // assert
    expect(chart.categories).toEqual(['OKF', 'KFF', 'TMF', 'BIF', 'BUF', 'SUF', 'SOF']);
    expect(chart.series).toEqual([
      { id: 'received', values: ['20000000.00', '3550001.00', '0.01', '0.00', '0.00', '0.00', '0.00'] },
    ]);
    expect(seriesTotal(chart.series[0]?.values ?? [])).toBe(fine.total.received);
  });

  it('shows only the forvaltning a view is filtered to', () => {
    const filtered = { ...fine, groups: fine.groups.filter((g) => g.key.forvaltning === 'KFF') };
    expect(receivedByForvaltning(filtered, 'KFF')).toEqual({
      categories: ['KFF'],
      series: [{ id: 'received', values: ['3550001.00'] }],
    });
  });

  it('stacks received per year by funder type, gaps as zero, funder types in catalogue order', () => {
    const chart = receivedByYearAndFunderType(fine);
    expect(chart.categories).toEqual(['2014', '2015', '2016']);
    expect(chart.series).toEqual([
      { id: 'EU', values: ['1000000.10', '0.00', '2550000.91'] },
      { id: 'DK_STATE', values: ['0.00', '0.00', '20000000.00'] },
    ]);
  });

  it('has no years when nothing was received', () => {
    expect(receivedByYearAndFunderType({ ...fine, groups: [] })).toEqual({ categories: [], series: [] });
  });

  it('compares awarded, received and outstanding per group of the view, expected once reported', () => {
    const view: TotalsLike = {
      groupBy: ['forvaltning', 'year'],
      groups: [
        { ...group({ forvaltning: 'TMF', year: 2020 }, '10.00', '30.00', '20.00'), expected: '5.00' },
        { ...group({ forvaltning: 'BIF', year: 2021 }, '1.00', '1.00', '0.00'), expected: '0.00' },
      ],
      total: { awarded: '31.00', received: '11.00', outstanding: '20.00', expected: '5.00', grantCount: 2 },
    };
    const chart = measuresByGroup(view, (k) => `${k.forvaltning} · ${k.year}`, 'I alt');
    expect(chart.categories).toEqual(['TMF · 2020', 'BIF · 2021']);
    expect(chart.series.map((s) => [s.id, s.values])).toEqual([
      ['awarded', ['30.00', '1.00']],
      ['received', ['10.00', '1.00']],
      ['outstanding', ['20.00', '0.00']],
      ['expected', ['5.00', '0.00']],
    ]);
  });

  it('shows the total as one group for an ungrouped view, without expected when the API has none', () => {
    const chart = measuresByGroup({ ...fine, groupBy: [], groups: [] }, () => 'x', 'I alt');
    expect(chart.categories).toEqual(['I alt']);
    expect(chart.series.map((s) => s.id)).toEqual(['awarded', 'received', 'outstanding']);
    expect(chart.series[1]?.values).toEqual(['23550001.01']);
  });

  it('draws at most the largest groups, in the view order, and says how many it left to the table', () => {
    const view: TotalsLike = {
      groupBy: ['year'],
      groups: [
        group({ year: 2019 }, '5.00', '1.00'),
        group({ year: 2020 }, '0.00', '100.00'),
        group({ year: 2021 }, '50.00', '0.00'),
        group({ year: 2022 }, '0.10', '0.10'),
      ],
      total: { awarded: '101.10', received: '55.10', outstanding: '0.00', grantCount: 4 },
    };
    const chart = measuresByGroup(view, (k) => String(k.year), 'I alt', 2);
    expect(chart.categories).toEqual(['2020', '2021']);
    expect(chart.omitted).toBe(2);
    expect(measuresByGroup(view, (k) => String(k.year), 'I alt').omitted).toBe(0);
  });
});
