import { formatAmount } from '../../../lib/domain/money';
import { minorOf } from '../pages/overview/series';
import { type CellValue, type Column, type ColumnKind, type Sheet, sheetName } from './sheet';

/** What of a grant the list download writes (a `GET /grants` item has all of it). */
export interface GrantRow {
  readonly acronym: string;
  readonly title: string;
  readonly programme: string;
  readonly funderType: string;
  readonly forvaltning: string;
  readonly unit?: string | undefined;
  readonly role: string;
  readonly status: string;
  readonly grantAgreementNumber?: string | undefined;
  readonly startDate: string;
  readonly endDate: string;
  readonly fundingEndsOn: string;
  readonly awarded: { readonly amount: string; readonly currency: string };
  readonly exchangeRateToDkk: string;
  readonly awardedDkk: { readonly amount: string };
  readonly receivedDkk: { readonly amount: string };
  readonly outstandingDkk: { readonly amount: string };
  readonly projectLead: { readonly name: string; readonly email: string };
}

/** The columns, by the API's field path (the CSV header), and how each is written. */
export const GRANT_COLUMNS: readonly { readonly key: string; readonly kind: ColumnKind }[] = [
  { key: 'acronym', kind: 'text' },
  { key: 'title', kind: 'text' },
  { key: 'programme', kind: 'text' },
  { key: 'funderType', kind: 'text' },
  { key: 'forvaltning', kind: 'text' },
  { key: 'unit', kind: 'text' },
  { key: 'role', kind: 'text' },
  { key: 'status', kind: 'text' },
  { key: 'grantAgreementNumber', kind: 'text' },
  { key: 'startDate', kind: 'date' },
  { key: 'endDate', kind: 'date' },
  { key: 'fundingEndsOn', kind: 'date' },
  { key: 'awarded.amount', kind: 'amount' },
  { key: 'awarded.currency', kind: 'text' },
  { key: 'exchangeRateToDkk', kind: 'text' },
  { key: 'awardedDkk.amount', kind: 'dkk' },
  { key: 'receivedDkk.amount', kind: 'dkk' },
  { key: 'outstandingDkk.amount', kind: 'dkk' },
  { key: 'projectLead.name', kind: 'text' },
  { key: 'projectLead.email', kind: 'text' },
];

const valueAt = (grant: GrantRow, path: string): CellValue => {
  let value: unknown = grant;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
};

export interface GrantsSheetWords {
  readonly name: string;
  readonly title: string;
  readonly notes: readonly string[];
  header(key: string): string;
  readonly total: string;
}

/** The filtered grants list as a sheet, with the DKK columns summed exactly in a last row. */
export const grantsSheet = (grants: readonly GrantRow[], words: GrantsSheetWords): Sheet => {
  const columns: Column[] = GRANT_COLUMNS.map((c) => ({ ...c, header: words.header(c.key) }));
  const totals = columns.map((c, i): CellValue => {
    if (i === 0) return words.total;
    if (c.kind !== 'dkk') return undefined;
    return formatAmount(grants.reduce((sum, g) => sum + minorOf(String(valueAt(g, c.key) ?? '0')), 0));
  });
  return {
    name: sheetName(words.name),
    title: words.title,
    notes: words.notes,
    columns,
    rows: grants.map((g) => columns.map((c) => valueAt(g, c.key))),
    totals,
  };
};
