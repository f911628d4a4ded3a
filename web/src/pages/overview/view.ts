import { FORVALTNING_CODES, FUNDER_TYPES, PROGRAMME_CODES } from '../../../../lib/config/catalogues';
import { GRANT_STATUSES, type GrantStatus, TOTALS_DIMENSIONS } from '../../lib/codes';

/**
 * The overview's state is its URL (`/app/overview?groupBy=forvaltning,year&forvaltning=TMF&from=2019`):
 * a link reproduces the screen, and the same state is the query of `GET /totals`, so the table,
 * the CSV and the XLSX all describe exactly one view.
 */

/** The groupings `GET /totals` offers, in the order the API names them (PRODUCT.md 2.7). */
export { TOTALS_DIMENSIONS };
export type TotalsDimension = (typeof TOTALS_DIMENSIONS)[number];

export { GRANT_STATUSES, type GrantStatus } from '../../lib/codes';

export interface OverviewFilter {
  readonly forvaltning?: string | undefined;
  readonly programme?: string | undefined;
  readonly funderType?: string | undefined;
  readonly status?: GrantStatus | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

export interface OverviewView extends OverviewFilter {
  readonly groupBy: readonly TotalsDimension[];
}

/** What finance asks first: what each forvaltning brought home. */
export const DEFAULT_GROUP_BY: readonly TotalsDimension[] = ['forvaltning'];

export const FILTER_KEYS = ['forvaltning', 'programme', 'funderType', 'status', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

const CHOICES: Record<Exclude<FilterKey, 'from' | 'to'>, readonly string[]> = {
  forvaltning: FORVALTNING_CODES,
  programme: PROGRAMME_CODES,
  funderType: FUNDER_TYPES,
  status: GRANT_STATUSES,
};

export interface ParsedView {
  readonly view: OverviewView;
  /** URL parameters that named nothing the API knows: left out of the view, and said so on screen. */
  readonly ignored: readonly string[];
}

const YEAR = /^\d{4}$/;

/** The view a URL describes. Unknown or invalid parameters are dropped (and listed), never sent. */
export const parseView = (search: URLSearchParams): ParsedView => {
  const ignored: string[] = [];
  let groupBy: TotalsDimension[] = [...DEFAULT_GROUP_BY];
  const raw = search.get('groupBy');
  if (raw !== null) {
    groupBy = [];
    for (const part of raw.split(',').map((p) => p.trim())) {
      if (!part) continue;
      if (
        (TOTALS_DIMENSIONS as readonly string[]).includes(part) &&
        !groupBy.includes(part as TotalsDimension)
      ) {
        groupBy.push(part as TotalsDimension);
      } else ignored.push(`groupBy=${part}`);
    }
  }
  const filter: Record<string, string | number> = {};
  for (const [key, value] of search) {
    if (key === 'groupBy') continue;
    if (key === 'from' || key === 'to') {
      if (YEAR.test(value)) filter[key] = Number(value);
      else ignored.push(`${key}=${value}`);
    } else if (key in CHOICES && CHOICES[key as keyof typeof CHOICES].includes(value)) {
      filter[key] = value;
    } else if (value !== '') ignored.push(`${key}=${value}`);
  }
  if (typeof filter.from === 'number' && typeof filter.to === 'number' && filter.to < filter.from) {
    ignored.push(`to=${filter.to}`);
    delete filter.to;
  }
  return { view: { groupBy: sortDimensions(groupBy), ...filter }, ignored };
};

/** Dimensions in the API's order, so that two URLs for one view are the same URL. */
export const sortDimensions = (dimensions: readonly TotalsDimension[]): TotalsDimension[] =>
  TOTALS_DIMENSIONS.filter((d) => dimensions.includes(d));

/** The URL search of a view; the default grouping is left out, an empty grouping is `groupBy=`. */
export const viewSearch = (view: OverviewView): URLSearchParams => {
  const search = new URLSearchParams();
  const groupBy = sortDimensions(view.groupBy).join(',');
  if (groupBy !== DEFAULT_GROUP_BY.join(',')) search.set('groupBy', groupBy);
  for (const key of FILTER_KEYS) {
    const value = view[key];
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  return search;
};

/** The view with one filter set (or cleared with undefined / ''). */
export const withFilter = (view: OverviewView, key: FilterKey, value: string | undefined): OverviewView => {
  const next: Record<string, unknown> = { ...view };
  if (value === undefined || value === '') delete next[key];
  else next[key] = key === 'from' || key === 'to' ? Number(value) : value;
  return next as unknown as OverviewView;
};

/** The view with a grouping dimension switched on or off. */
export const withDimension = (view: OverviewView, dimension: TotalsDimension, on: boolean): OverviewView => ({
  ...view,
  groupBy: sortDimensions(on ? [...view.groupBy, dimension] : view.groupBy.filter((d) => d !== dimension)),
});

/** `GET /totals` query parameters (strings, as on the wire) for a view and a grouping. */
export type TotalsQuery = { groupBy?: string } & Partial<Record<FilterKey, string>>;

const filterQuery = (view: OverviewFilter): Partial<Record<FilterKey, string>> => {
  const query: Partial<Record<FilterKey, string>> = {};
  for (const key of FILTER_KEYS) {
    const value = view[key];
    if (value !== undefined && value !== '') query[key] = String(value);
  }
  return query;
};

/** The query of the table (and of its CSV and XLSX): exactly the view. */
export const totalsQuery = (view: OverviewView): TotalsQuery => {
  const groupBy = sortDimensions(view.groupBy).join(',');
  return { ...(groupBy ? { groupBy } : {}), ...filterQuery(view) };
};

/**
 * The charts' query: the same filters at the finest grain the charts need. Every measure adds up
 * across groups, so one response gives received per forvaltning and received per year by funder type.
 */
export const CHART_GROUP_BY: readonly TotalsDimension[] = ['forvaltning', 'funderType', 'year'];
export const chartQuery = (view: OverviewView): TotalsQuery => ({
  groupBy: CHART_GROUP_BY.join(','),
  ...filterQuery(view),
});

/** A short name for downloads: "totaler-forvaltning-year-TMF-2019-2021". */
export const viewSlug = (view: OverviewView): string =>
  [
    ...sortDimensions(view.groupBy),
    ...FILTER_KEYS.map((k) => view[k]).filter((v) => v !== undefined && v !== ''),
  ]
    .map(String)
    .join('-')
    .replace(/[^A-Za-z0-9_-]/g, '');
