import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { FORVALTNING_CODES, FUNDER_TYPES, PROGRAMME_CODES } from '../../../../lib/config/catalogues';
import { forvaltningLabel } from '../../lib/labels';
import { valueLabel } from './labels';
import {
  type FilterKey,
  GRANT_STATUSES,
  type OverviewView,
  TOTALS_DIMENSIONS,
  type TotalsDimension,
  withDimension,
  withFilter,
} from './view';

const FIRST_YEAR = 2007; // FP7, the oldest programme in the register

/** The filters and groupings `GET /totals` offers; every change is a new URL (and so a new view). */
export const OverviewFilters = ({
  view,
  thisYear,
  onChange,
}: {
  readonly view: OverviewView;
  readonly thisYear: number;
  readonly onChange: (view: OverviewView) => void;
}) => {
  const { t } = useTranslation('finance');
  const id = useId();
  const years = Array.from({ length: thisYear + 6 - FIRST_YEAR }, (_, i) => String(FIRST_YEAR + i));
  const choices: Record<Exclude<FilterKey, 'from' | 'to'>, readonly string[]> = {
    forvaltning: FORVALTNING_CODES,
    programme: PROGRAMME_CODES,
    funderType: FUNDER_TYPES,
    status: GRANT_STATUSES,
  };
  const select = (
    key: FilterKey,
    label: string,
    options: readonly string[],
    text: (value: string) => string,
  ) => (
    <div className="field" key={key}>
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select
        id={`${id}-${key}`}
        name={key}
        value={view[key] === undefined ? '' : String(view[key])}
        onChange={(event) => onChange(withFilter(view, key, event.target.value))}
      >
        <option value="">{t('overview.all')}</option>
        {options.map((value) => (
          <option key={value} value={value}>
            {text(value)}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form
      className="overview-filters"
      aria-label={t('overview.filters')}
      onSubmit={(event) => event.preventDefault()}
    >
      <fieldset className="overview-filters__filter">
        <legend>{t('overview.filter')}</legend>
        {select('forvaltning', t('dimensionTitle.forvaltning'), choices.forvaltning, forvaltningLabel)}
        {(['programme', 'funderType', 'status'] as const).map((key) =>
          select(key, t(`dimensionTitle.${key}`), choices[key], (value) => valueLabel(t, key, value)),
        )}
        {select('from', t('overview.from'), years, String)}
        {select('to', t('overview.to'), years, String)}
      </fieldset>
      <fieldset className="overview-filters__group">
        <legend>{t('overview.groupBy')}</legend>
        {TOTALS_DIMENSIONS.map((dimension: TotalsDimension) => (
          <label key={dimension} className="checkbox">
            <input
              type="checkbox"
              name="groupBy"
              value={dimension}
              checked={view.groupBy.includes(dimension)}
              onChange={(event) => onChange(withDimension(view, dimension, event.target.checked))}
            />
            {t(`dimensionTitle.${dimension}`)}
          </label>
        ))}
      </fieldset>
    </form>
  );
};
