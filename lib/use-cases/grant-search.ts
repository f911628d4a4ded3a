import type { GrantSort } from '../api/queries';
import { funderTypeOf, type Programme } from '../config/catalogues';
import { ValidationError } from '../domain/errors';
import { recipientsOf } from '../domain/grant';
import type { GrantDto } from '../domain/schemas';
import { type DeadlineListItem, listGrants } from './grants';
import type { Caller, GrantPorts } from './ports';

/**
 * The grants list as people search it: besides the indexed filters (forvaltning, programme,
 * status) a funder type, words in the acronym or title, and a sort order. The register holds a
 * municipality's grants (hundreds, a few thousand at most), so a search reads the indexed
 * selection whole, filters and sorts it here, and pages through the result by position.
 */

export interface GrantSearch {
  readonly forvaltning?: string | undefined;
  readonly programme?: string | undefined;
  readonly status?: string | undefined;
  readonly funderType?: string | undefined;
  readonly q?: string | undefined;
  readonly sort?: GrantSort | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Whether a list request needs more than the indexes give: then it is a search. */
export const isSearch = (query: GrantSearch): boolean => !!(query.funderType || query.q || query.sort);

const fold = (text: string) => text.toLocaleLowerCase('da').normalize('NFKD');

const minorOf = (amount: string): bigint => {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
};

const collator = new Intl.Collator('da', { sensitivity: 'base', numeric: true });

const compareBy = (field: string): ((a: GrantDto, b: GrantDto) => number) => {
  switch (field) {
    case 'acronym':
      return (a, b) => collator.compare(a.acronym, b.acronym);
    case 'awarded':
      return (a, b) => {
        const difference = minorOf(a.awardedDkk.amount) - minorOf(b.awardedDkk.amount);
        return difference === 0n ? 0 : difference < 0n ? -1 : 1;
      };
    case 'startDate':
      return (a, b) => a.startDate.localeCompare(b.startDate);
    default:
      return (a, b) => a.endDate.localeCompare(b.endDate);
  }
};

/** The grants that match, in the order asked for; ties (and no order) newest registered first. */
export const filterAndSort = (grants: readonly GrantDto[], query: GrantSearch): GrantDto[] => {
  const words = fold(query.q ?? '')
    .split(/\s+/)
    .filter(Boolean);
  const matched = grants.filter(
    (grant) =>
      (!query.funderType || funderTypeOf(grant.programme as Programme) === query.funderType) &&
      words.every((word) => fold(`${grant.acronym} ${grant.title}`).includes(word)),
  );
  const newestFirst = (a: GrantDto, b: GrantDto) => b.grantId.localeCompare(a.grantId);
  if (!query.sort) return matched.sort(newestFirst);
  const descending = query.sort.startsWith('-');
  const compare = compareBy(query.sort.replace(/^-/, ''));
  return matched.sort((a, b) => (descending ? -compare(a, b) : compare(a, b)) || newestFirst(a, b));
};

const SEARCH_CURSOR = /^s(\d{1,6})$/;

export const searchGrants = async (
  ports: GrantPorts,
  query: GrantSearch,
): Promise<{ items: GrantDto[]; nextCursor: string | null }> => {
  let offset = 0;
  if (query.cursor) {
    const match = SEARCH_CURSOR.exec(query.cursor);
    if (!match) {
      throw new ValidationError('The cursor does not belong to this search.', [
        { path: 'cursor', message: 'use the nextCursor of the same search' },
      ]);
    }
    offset = Number(match[1]);
  }
  const selection: GrantDto[] = [];
  let cursor: string | undefined;
  do {
    const page = await listGrants(ports, {
      forvaltning: query.forvaltning,
      programme: query.programme,
      status: query.status,
      limit: 100,
      cursor,
    });
    selection.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const result = filterAndSort(selection, query);
  const end = offset + query.limit;
  return { items: result.slice(offset, end), nextCursor: end < result.length ? `s${end}` : null };
};

/**
 * "My deadlines": those of grants whose project lead or a watcher is the caller (by the e-mail in
 * their token). One batch read of the grants concerned.
 */
export const onlyCallersDeadlines = async (
  ports: GrantPorts,
  caller: Caller,
  items: readonly DeadlineListItem[],
): Promise<{ items: DeadlineListItem[] }> => {
  if (!items.length) return { items: [] };
  const { grants } = await ports.ledger.grantsById(items.map((item) => item.grantId));
  const email = caller.email.toLowerCase();
  const mine = new Set(
    [...grants.values()]
      .filter((grant) => recipientsOf(grant).some((address) => address.toLowerCase() === email))
      .map((grant) => grant.grantId),
  );
  return { items: items.filter((item) => mine.has(item.grantId)) };
};
