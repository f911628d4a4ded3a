import { describe, expect, it } from 'vitest';
import type { GrantDto } from '../../lib/domain/schemas';
import { filterAndSort, isSearch } from '../../lib/use-cases/grant-search';

const grant = (over: Partial<GrantDto> & Pick<GrantDto, 'grantId' | 'acronym'>): GrantDto =>
  ({
    title: 'A grant',
    programme: 'H2020',
    funderType: 'EU',
    startDate: '2020-01-01',
    endDate: '2022-12-31',
    awardedDkk: { amount: '100.00', currency: 'DKK' },
    ...over,
  }) as GrantDto;

const GRANTS = [
  grant({ grantId: '01A', acronym: 'Øresund', title: 'Øresundsmetro study', programme: 'INTERREG' }),
  grant({
    grantId: '01B',
    acronym: 'AI4Cities',
    title: 'Kunstig intelligens',
    awardedDkk: { amount: '9.50', currency: 'DKK' },
  }),
  grant({
    grantId: '01C',
    acronym: 'SSC Beijing',
    title: 'Sektorsamarbejde',
    programme: 'SSC',
    funderType: 'DK_STATE',
    startDate: '2019-05-01',
  }),
  grant({
    grantId: '01D',
    acronym: 'amager',
    title: 'Climate adaptation',
    awardedDkk: { amount: '10.00', currency: 'DKK' },
  }),
];

describe('grant search', () => {
  it('is a search only when it needs more than the indexes', () => {
    expect(isSearch({ limit: 10, forvaltning: 'TMF', programme: 'H2020' })).toBe(false);
    expect(isSearch({ limit: 10, q: 'metro' })).toBe(true);
    expect(isSearch({ limit: 10, funderType: 'EU' })).toBe(true);
    expect(isSearch({ limit: 10, sort: 'acronym' })).toBe(true);
  });

  it('finds every word in acronym or title, in any case', () => {
    expect(filterAndSort(GRANTS, { limit: 10, q: 'ØRESUND metro' }).map((g) => g.grantId)).toEqual(['01A']);
    expect(filterAndSort(GRANTS, { limit: 10, q: 'intelligens' }).map((g) => g.grantId)).toEqual(['01B']);
    expect(filterAndSort(GRANTS, { limit: 10, q: 'metro climate' })).toEqual([]);
  });

  it('filters by the funder type the programme implies', () => {
    expect(filterAndSort(GRANTS, { limit: 10, funderType: 'DK_STATE' }).map((g) => g.grantId)).toEqual([
      '01C',
    ]);
    expect(filterAndSort(GRANTS, { limit: 10, funderType: 'EU' }).map((g) => g.grantId)).toEqual([
      '01D',
      '01B',
      '01A',
    ]);
  });

  it('sorts by acronym in Danish order, by dates, and by the DKK award exactly, newest first on ties', () => {
    expect(filterAndSort(GRANTS, { limit: 10, sort: 'acronym' }).map((g) => g.acronym)).toEqual([
      'AI4Cities',
      'amager',
      'SSC Beijing',
      'Øresund',
    ]);
    expect(filterAndSort(GRANTS, { limit: 10, sort: '-awarded' }).map((g) => g.grantId)).toEqual([
      '01C',
      '01A',
      '01D',
      '01B',
    ]);
    expect(filterAndSort(GRANTS, { limit: 10, sort: 'startDate' }).map((g) => g.grantId)).toEqual([
      '01C',
      '01D',
      '01B',
      '01A',
    ]);
  });
});
