import type { operations } from '../../../../lib/api-client';
import { FORVALTNING_CODES, PROGRAMME_CODES } from '../../../../lib/config/catalogues';

/**
 * The grants list's view as the URL holds it, so a link reproduces the screen. Parameter names and
 * values are the API's own query parameters; a value the API would refuse is dropped, not sent.
 */

type ListQuery = NonNullable<operations['listGrants']['parameters']['query']>;
export type GrantListView = Omit<ListQuery, 'limit'> & { limit?: number };

import { GRANT_STATUSES } from '../../lib/labels';

const ALLOWED = {
  forvaltning: FORVALTNING_CODES as readonly string[],
  programme: PROGRAMME_CODES as readonly string[],
  status: GRANT_STATUSES as readonly string[],
} as const;

export const GRANT_FILTERS = Object.keys(ALLOWED) as (keyof typeof ALLOWED)[];

export const viewFromSearch = (search: URLSearchParams): GrantListView => {
  const view: Record<string, string> = {};
  for (const name of GRANT_FILTERS) {
    const value = search.get(name);
    if (value && ALLOWED[name].includes(value)) view[name] = value;
  }
  const cursor = search.get('cursor');
  if (cursor) view.cursor = cursor;
  return view as GrantListView;
};

/** The search string for a view. */
export const searchFromView = (view: GrantListView): string => {
  const params = new URLSearchParams();
  for (const name of GRANT_FILTERS) {
    const value = view[name];
    if (value) params.set(name, value);
  }
  if (view.cursor) params.set('cursor', view.cursor);
  const text = params.toString();
  return text ? `?${text}` : '';
};
