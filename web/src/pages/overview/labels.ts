import type { TFunction } from 'i18next';
import { forvaltningAbbreviation } from '../../../../lib/config/catalogues';
import type { OverviewFilter, OverviewView } from './view';

/**
 * How the overview names what it shows, in the reader's language: a key of a totals group, a
 * filter, a grouping. The same words go on the screen and into the spreadsheet, so a download
 * reads like the screen it was taken from. `t` is the `finance` catalogue's; codes are named by `common`.
 */

export const valueLabel = (t: TFunction, dimension: string, value: string | number): string => {
  const text = String(value);
  switch (dimension) {
    case 'forvaltning':
      return forvaltningAbbreviation(text);
    case 'programme':
    case 'funderType':
    case 'status':
      return t(`common:codes.${dimension}.${text}`, { defaultValue: text });
    case 'quarter': {
      const [year, quarter] = text.split('-Q');
      return t('quarter', { year, quarter });
    }
    default:
      return text;
  }
};

/** A group's key as one label: "TMF · 2021 · Horizon 2020". */
export const groupLabel = (
  t: TFunction,
  groupBy: readonly string[],
  key: Readonly<Record<string, string | number>>,
): string =>
  groupBy
    .map((d) => key[d])
    .map((value, i) => (value === undefined ? '' : valueLabel(t, groupBy[i] as string, value)))
    .join(' · ');

/** "forvaltning og år" — the grouping in words, for captions. */
export const groupByWords = (t: TFunction, groupBy: readonly string[], language: string): string =>
  new Intl.ListFormat(language === 'en' ? 'en-GB' : 'da-DK', { type: 'conjunction' }).format(
    groupBy.map((d) => t(`dimension.${d}`)),
  );

/** "Forvaltning: TMF · Program: Horizon 2020 · År: 2019–2021", or undefined without a filter. */
export const filterWords = (t: TFunction, filter: OverviewFilter): string | undefined => {
  const parts: string[] = [];
  for (const key of ['forvaltning', 'programme', 'funderType', 'status'] as const) {
    const value = filter[key];
    if (value !== undefined) parts.push(`${t(`dimensionTitle.${key}`)}: ${valueLabel(t, key, value)}`);
  }
  if (filter.from !== undefined || filter.to !== undefined) {
    const years = filter.from === filter.to ? String(filter.from) : `${filter.from ?? ''}–${filter.to ?? ''}`;
    parts.push(`${t('dimensionTitle.year')}: ${years}`);
  }
  return parts.length ? parts.join(' · ') : undefined;
};

/** The lines a spreadsheet carries above its table: filter, grouping, how it counts, when and where from. */
export const viewNotes = (
  t: TFunction,
  view: OverviewView,
  taken: { readonly at: string; readonly url: string },
): string[] => {
  const filter = filterWords(t, view);
  return [
    filter ? t('sheet.filter', { filter }) : t('sheet.noFilter'),
    view.groupBy.length
      ? t('sheet.groupBy', { groupBy: view.groupBy.map((d) => t(`dimensionTitle.${d}`)).join(', ') })
      : t('sheet.ungrouped'),
    t('sheet.counting'),
    t('sheet.taken', taken),
  ];
};
