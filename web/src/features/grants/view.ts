import type { operations } from '../../../../lib/api-client';
import { FORVALTNING_CODES, FUNDER_TYPES, PROGRAMME_CODES } from '../../../../lib/config/catalogues';
import { GRANT_LIST_SORTS, GRANT_STATUSES } from '../../lib/codes';

/**
 * The grants list's view as the URL holds it, so a link reproduces the screen. Parameter names and
 * values are the API's own query parameters; a value the API would refuse is dropped, not sent.
 */

type ListQuery = NonNullable<operations['listGrants']['parameters']['query']>;
export type GrantListView = Omit<ListQuery, 'limit'> & { limit?: number };

export const GRANT_SORTS = ['acronym', '-startDate', 'startDate', 'endDate', '-awarded'] as const;

const ALLOWED = {
  forvaltning: FORVALTNING_CODES as readonly string[],
  programme: PROGRAMME_CODES as readonly string[],
  funderType: FUNDER_TYPES as readonly string[],
  status: GRANT_STATUSES as readonly string[],
  sort: GRANT_LIST_SORTS as readonly string[],
} as const;

/** The query parameters a view may carry, in the order they appear in a link. */
export const VIEW_PARAMS = ['q', ...Object.keys(ALLOWED), 'cursor'] as const;
export const GRANT_FILTERS = Object.keys(ALLOWED) as (keyof typeof ALLOWED)[];

export const viewFromSearch = (search: URLSearchParams): GrantListView => {
  const view: Record<string, string> = {};
  for (const name of GRANT_FILTERS) {
    const value = search.get(name);
    if (value && ALLOWED[name].includes(value)) view[name] = value;
  }
  const q = search.get('q')?.trim();
  if (q) view.q = q.slice(0, 100);
  const cursor = search.get('cursor');
  if (cursor) view.cursor = cursor;
  return view as GrantListView;
};

/** The search string for a view. */
export const searchFromView = (view: GrantListView): string => {
  const params = new URLSearchParams();
  for (const name of VIEW_PARAMS) {
    const value = (view as Record<string, string | undefined>)[name];
    if (value) params.set(name, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
};
