import type { Logger } from '@aws-lambda-powertools/logger';
import { createApiHandler } from '../../lib/api/app';
import { toCsv } from '../../lib/api/csv';
import { type ApiEvent, header, json, queryOf, SECURITY_HEADERS } from '../../lib/api/http';
import { TotalsQuerySchema } from '../../lib/api/queries';
import { NotAcceptableError } from '../../lib/domain/errors';
import type { Ledger } from '../../lib/storage/ledger';
import { getTotals, type TotalsReport } from '../../lib/use-cases/totals';

export interface TotalsApiDeps {
  readonly ledger: Ledger;
  readonly logger: Logger;
}

/** `format=` wins; otherwise the Accept header decides between JSON and CSV. */
const wantsCsv = (event: ApiEvent, format: 'json' | 'csv' | undefined): boolean => {
  if (format) return format === 'csv';
  const accept = (header(event, 'accept') ?? '*/*').toLowerCase();
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim() ?? '');
  if (types.some((t) => t === 'text/csv')) return !types.some((t) => t === 'application/json');
  if (
    types.some((t) => t === 'application/json' || t === '*/*' || t === 'application/*' || t.endsWith('+json'))
  ) {
    return false;
  }
  throw new NotAcceptableError(`Totals come as application/json or text/csv, not ${accept}.`);
};

export const totalsCsv = (report: TotalsReport): string =>
  toCsv(
    [...report.groupBy, 'awarded_dkk', 'received_dkk', 'outstanding_dkk', 'expected_dkk', 'grant_count'],
    report.groups.map((g) => [
      ...report.groupBy.map((d) => g.key[d] ?? ''),
      g.awarded,
      g.received,
      g.outstanding,
      g.expected,
      g.grantCount,
    ]),
  );

/** Finance's totals: what each forvaltning brought home, by any grouping, from materialised views. */
export const createTotalsApi = (deps: TotalsApiDeps) =>
  createApiHandler(
    'totals-api',
    {
      getTotals: async ({ event }) => {
        const { groupBy, format, ...filter } = queryOf(event, TotalsQuerySchema);
        const csv = wantsCsv(event, format);
        const report = await getTotals(deps.ledger, { groupBy: groupBy ?? [], ...filter });
        if (!csv) return json(200, report);
        return {
          statusCode: 200,
          headers: {
            'Content-Type': 'text/csv; charset=utf-8; header=present',
            'Content-Disposition': 'attachment; filename="totals.csv"',
            ...SECURITY_HEADERS,
          },
          body: totalsCsv(report),
        };
      },
    },
    deps.logger,
  );
