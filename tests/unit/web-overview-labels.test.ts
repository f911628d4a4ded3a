import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import common from '../../web/src/i18n/locales/da/common.json' with { type: 'json' };
import finance from '../../web/src/i18n/locales/da/finance.json' with { type: 'json' };
import commonEn from '../../web/src/i18n/locales/en/common.json' with { type: 'json' };
import financeEn from '../../web/src/i18n/locales/en/finance.json' with { type: 'json' };
import {
  filterWords,
  groupByWords,
  groupLabel,
  valueLabel,
  viewNotes,
} from '../../web/src/pages/overview/labels';

/** The overview's words, from the app's own Danish and English catalogues. */
describe('how the overview names what it shows', () => {
  const i18n = i18next.createInstance();
  let t: typeof i18n.t;
  let en: typeof i18n.t;

  beforeAll(async () => {
    await i18n.init({
      resources: { da: { common, finance }, en: { common: commonEn, finance: financeEn } },
      lng: 'da',
      defaultNS: 'finance',
      interpolation: { escapeValue: false },
    });
    t = i18n.getFixedT('da', 'finance');
    en = i18n.getFixedT('en', 'finance');
  });

  it('names group keys as people write them', () => {
    expect(valueLabel(t, 'forvaltning', 'OKF')).toBe('ØKF');
    expect(valueLabel(t, 'programme', 'H2020')).toBe('Horizon 2020');
    expect(valueLabel(t, 'funderType', 'DK_STATE')).toBe('Staten');
    expect(valueLabel(t, 'quarter', '2021-Q2')).toBe('2. kvt. 2021');
    expect(valueLabel(en, 'quarter', '2021-Q2')).toBe('Q2 2021');
    expect(valueLabel(t, 'year', 2021)).toBe('2021');
    expect(groupLabel(t, ['forvaltning', 'year'], { forvaltning: 'OKF', year: 2016 })).toBe('ØKF · 2016');
  });

  it('describes the grouping and the filter in words', () => {
    expect(groupByWords(t, ['forvaltning', 'year'], 'da')).toBe('forvaltning og år');
    expect(groupByWords(en, ['forvaltning', 'programme', 'year'], 'en')).toBe(
      'forvaltning, programme and year',
    );
    expect(filterWords(t, {})).toBeUndefined();
    expect(filterWords(t, { forvaltning: 'OKF', status: 'ACTIVE', from: 2019, to: 2021 })).toBe(
      'Forvaltning: ØKF · Status: Aktiv · År: 2019–2021',
    );
    expect(filterWords(t, { from: 2020, to: 2020 })).toBe('År: 2020');
    expect(filterWords(t, { to: 2020 })).toBe('År: –2020');
  });

  it('writes the filter, grouping, counting rule and origin above a spreadsheet', () => {
    const notes = viewNotes(
      t,
      { groupBy: ['forvaltning', 'year'], programme: 'SSC' },
      { at: '1. december 2026 kl. 19.30', url: 'http://127.0.0.1:3000/app/overview?programme=SSC' },
    );
    expect(notes).toEqual([
      'Filter: Program: Strategisk Sektorsamarbejde (SSC)',
      'Grupperet efter: Forvaltning, År',
      'Bevilget tælles i året for projektets startdato, hjemtaget i året for betalingen.',
      'Hentet 1. december 2026 kl. 19.30 fra http://127.0.0.1:3000/app/overview?programme=SSC',
    ]);
    expect(viewNotes(t, { groupBy: [] }, { at: 'x', url: 'y' }).slice(0, 2)).toEqual([
      'Filter: ingen (alle bevillinger)',
      'Grupperet efter: intet (totalen)',
    ]);
  });
});
