import type { Grant } from '../../../lib/api-client';
import {
  bodyFromEntries,
  type FormValue,
  linesOf,
  normaliseAmount,
  numberListOf,
} from '../../../lib/form-body';

/** The fields of a grant a person edits on the form, by their API names (PRODUCT.md 2.4). */
export const EDITABLE_FIELDS = [
  'acronym',
  'title',
  'programme',
  'forvaltning',
  'unit',
  'role',
  'status',
  'grantAgreementNumber',
  'pic',
  'callId',
  'partners',
  'notes',
  'startDate',
  'endDate',
  'fundingEndsOn',
  'awarded',
  'exchangeRateToDkk',
  'projectLead',
  'watchers',
  'reportingPeriods',
  'alertLeadDays',
] as const;

const AMOUNTS = new Set(['awarded.amount', 'exchangeRateToDkk']);

/** The JSON body a grant form describes; controls are named by API field path. */
export const grantBodyFromForm = (form: HTMLFormElement): Record<string, unknown> => {
  const entries: [string, FormValue][] = [];
  for (const [name, value] of new FormData(form).entries()) {
    if (typeof value !== 'string') continue;
    if (name === 'partners') entries.push([name, linesOf(value)]);
    else if (name === 'alertLeadDays') entries.push([name, value.trim() ? numberListOf(value) : '']);
    else entries.push([name, AMOUNTS.has(name) ? normaliseAmount(value) : value]);
  }
  const body = bodyFromEntries(entries);
  if (Array.isArray(body.partners) && body.partners.length === 0) delete body.partners;
  return body;
};

/** A stored grant in the shape the form produces, to compare an edit against. */
export const grantBodyOf = (grant: Grant): Record<string, unknown> => {
  const body: Record<string, unknown> = {};
  for (const field of EDITABLE_FIELDS) {
    const value = (grant as Record<string, unknown>)[field];
    if (value !== undefined) body[field] = value;
  }
  // The API reports the rate it applies; a DKK grant has none of its own.
  if (grant.awarded.currency === 'DKK') delete body.exchangeRateToDkk;
  return body;
};
