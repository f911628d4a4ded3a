import { describe, expect, it } from 'vitest';
import { TOTALS_GROUP_BY, TotalsQuerySchema } from '../../lib/api/queries';
import { forvaltningAbbreviation } from '../../lib/config/catalogues';
import {
  chartQuery,
  parseView,
  TOTALS_DIMENSIONS,
  totalsQuery,
  viewSearch,
  viewSlug,
  withDimension,
  withFilter,
} from '../../web/src/pages/overview/view';

const parse = (search: string) => parseView(new URLSearchParams(search));

describe('overview view <-> URL <-> GET /totals query', () => {
  it('offers exactly the groupings the API accepts', () => {
    expect(TOTALS_DIMENSIONS).toEqual(TOTALS_GROUP_BY);
  });

  it('defaults to received per forvaltning, and an empty URL is the default view', () => {
    // act
    const { view, ignored } = parse('');
    // assert
    expect(view).toEqual({ groupBy: ['forvaltning'] });
    expect(ignored).toEqual([]);
    expect(viewSearch(view).toString()).toBe('');
    expect(totalsQuery(view)).toEqual({ groupBy: 'forvaltning' });
  });

  it('reads filters and grouping, in the API order, and writes them back as the same URL', () => {
    const { view } = parse(
      'groupBy=year,forvaltning&forvaltning=TMF&funderType=EU&status=ACTIVE&from=2019&to=2021',
    );
    expect(view).toEqual({
      groupBy: ['forvaltning', 'year'],
      forvaltning: 'TMF',
      funderType: 'EU',
      status: 'ACTIVE',
      from: 2019,
      to: 2021,
    });
    expect(viewSearch(view).toString()).toBe(
      'groupBy=forvaltning%2Cyear&forvaltning=TMF&funderType=EU&status=ACTIVE&from=2019&to=2021',
    );
    expect(parse(viewSearch(view).toString()).view).toEqual(view);
  });

  it('keeps an explicitly empty grouping (the grand total) apart from the default', () => {
    const { view } = parse('groupBy=');
    expect(view.groupBy).toEqual([]);
    expect(viewSearch(view).toString()).toBe('groupBy=');
    expect(totalsQuery(view)).toEqual({});
  });

  it('drops what the API would refuse, and names it', () => {
    const { view, ignored } = parse(
      'groupBy=forvaltning,colour,forvaltning&forvaltning=XYZ&programme=H2020&from=19&to=2018&from=2020&sort=x',
    );
    expect(view).toEqual({ groupBy: ['forvaltning'], programme: 'H2020', from: 2020 });
    expect(ignored).toEqual([
      'groupBy=colour',
      'groupBy=forvaltning',
      'forvaltning=XYZ',
      'from=19',
      'sort=x',
      'to=2018',
    ]);
  });

  it('produces queries the API itself validates, for the table and for the charts', () => {
    const { view } = parse('groupBy=quarter,programme&forvaltning=KFF&from=2014&to=2020');
    for (const query of [totalsQuery(view), chartQuery(view)]) {
      expect(TotalsQuerySchema.safeParse(query).success).toBe(true);
    }
    expect(chartQuery(view)).toEqual({
      groupBy: 'forvaltning,funderType,year',
      forvaltning: 'KFF',
      from: '2014',
      to: '2020',
    });
  });

  it('switches filters and dimensions without touching the rest', () => {
    const base = parse('forvaltning=TMF').view;
    const grouped = withDimension(withDimension(base, 'year', true), 'forvaltning', false);
    expect(grouped).toEqual({ groupBy: ['year'], forvaltning: 'TMF' });
    expect(withFilter(grouped, 'from', '2015')).toEqual({
      groupBy: ['year'],
      forvaltning: 'TMF',
      from: 2015,
    });
    expect(withFilter(grouped, 'forvaltning', '')).toEqual({ groupBy: ['year'] });
  });

  it('writes forvaltninger as people do: ØKF for the API code OKF', () => {
    expect(forvaltningAbbreviation('OKF')).toBe('ØKF');
    expect(forvaltningAbbreviation('TMF')).toBe('TMF');
  });

  it('names a download after its view', () => {
    expect(viewSlug(parse('groupBy=forvaltning,year&forvaltning=TMF&from=2019').view)).toBe(
      'forvaltning-year-TMF-2019',
    );
  });
});
