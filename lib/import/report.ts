import type { RowPlan } from './plan';

/** What an import did (or, in a dry run, would do), counted in rows of the file. */
export interface Summary {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly invalid: number;
  /** Rows the API refused while importing (the others went in). */
  readonly failed: number;
  readonly paymentsRecorded: number;
  readonly expectedPaymentsAdded: number;
  readonly dryRun: boolean;
}

export const emptySummary = (dryRun: boolean, invalid = 0): Summary => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  invalid,
  failed: 0,
  paymentsRecorded: 0,
  expectedPaymentsAdded: 0,
  dryRun,
});

export const plannedSummary = (plans: readonly RowPlan[], dryRun: boolean): Summary => ({
  ...emptySummary(dryRun),
  created: plans.filter((p) => p.action === 'create').length,
  updated: plans.filter((p) => p.action === 'update').length,
  unchanged: plans.filter((p) => p.action === 'unchanged').length,
  paymentsRecorded: plans.filter((p) => p.payment).length,
  expectedPaymentsAdded: plans.filter((p) => p.expectedPayment).length,
});

/** One line per row that creates or changes something; unchanged rows are only counted. */
export const describePlan = (plans: readonly RowPlan[]): string[] => {
  const changing = plans.filter((p) => p.action !== 'unchanged');
  const width = Math.max(0, ...changing.map((p) => p.row.where.length));
  return changing.map((p) => {
    const subject = p.action === 'create' ? '' : `${p.row.grant.acronym}: `;
    return `  ${p.row.where.padEnd(width)}  ${p.action.padEnd(6)}  ${subject}${p.changes.join('; ')}`;
  });
};

/** The readable table, then the summary as one line of JSON for scripts. */
export const formatSummary = (summary: Summary): string[] => {
  const rows: [string, number][] = [
    [summary.dryRun ? 'would create' : 'created', summary.created],
    [summary.dryRun ? 'would update' : 'updated', summary.updated],
    ['unchanged', summary.unchanged],
    ['invalid', summary.invalid],
    ...(summary.failed ? ([['failed', summary.failed]] as [string, number][]) : []),
    [summary.dryRun ? 'payments to record' : 'payments recorded', summary.paymentsRecorded],
    ...(summary.expectedPaymentsAdded
      ? ([
          [
            summary.dryRun ? 'expected payments to add' : 'expected payments added',
            summary.expectedPaymentsAdded,
          ],
        ] as [string, number][])
      : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    ...rows.map(([label, count]) => `  ${label.padEnd(width)}  ${String(count).padStart(5)}`),
    JSON.stringify(summary),
  ];
};
