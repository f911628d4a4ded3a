import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertThresholds } from '../domain/alerts';
import type { IsoDate } from '../domain/dates';
import type { ExpectedPaymentRecord } from '../domain/expected-payments';
import type { DeadlineRecord, GrantRecord } from '../domain/grant';
import type { HistoryRecord } from '../domain/history';
import type { TotalsCell, TotalsDelta, TotalsView } from '../domain/totals';
import * as alerts from './alerts';
import * as deadlines from './deadlines';
import * as expected from './expected-payments';
import * as grants from './grants';
import * as history from './history';
import type { OutboxEvent } from './items';
import * as payments from './payments';
import { LedgerTable } from './table';
import * as totals from './totals';

export type { DueAlertItem, SweepOutcome } from './alerts';
export type { DeadlineListQuery } from './deadlines';
export type { DueReads, ExpectedPaymentWrite } from './expected-payments';
export type { GrantChange, GrantListQuery, GrantWithChildren } from './grants';
export type { HistoryPage } from './history';
export type { PaymentOutcome, PaymentWrite } from './payments';
export { WriteConflict } from './table';

/**
 * The ledger repository: every read and write of grants, payments, expected payments, deadlines,
 * history and outbox events, each aggregate's in its own module (grants.ts, payments.ts,
 * expected-payments.ts, deadlines.ts, history.ts, totals.ts, alerts.ts) over the shared primitives
 * of table.ts. Each change, its history entries and the events it causes are one
 * TransactWriteItems, so neither an event nor a history entry is ever lost.
 */
export class Ledger {
  readonly table: LedgerTable;

  constructor(db: DynamoDBDocumentClient, tableName: string, thresholds?: AlertThresholds) {
    this.table = new LedgerTable(db, tableName, thresholds);
  }

  registerGrant(
    grant: GrantRecord,
    deadlineRecords: readonly DeadlineRecord[],
    events: readonly OutboxEvent[],
    delta: TotalsDelta,
    entries: readonly HistoryRecord[],
  ): Promise<void> {
    return grants.registerGrant(this.table, grant, deadlineRecords, events, delta, entries);
  }

  /** The grant item alone: one GetItem. */
  findGrant(grantId: string): Promise<GrantRecord | undefined> {
    return grants.findGrant(this.table, grantId);
  }

  /** The grant with its payments and deadlines: one Query on the grant's partition. */
  getGrant(grantId: string): Promise<grants.GrantWithChildren> {
    return grants.getGrant(this.table, grantId);
  }

  listGrants(query: grants.GrantListQuery): ReturnType<typeof grants.listGrants> {
    return grants.listGrants(this.table, query);
  }

  updateGrant(change: grants.GrantChange): Promise<void> {
    return grants.updateGrant(this.table, change);
  }

  grantsById(grantIds: readonly string[]): ReturnType<typeof grants.grantsById> {
    return grants.grantsById(this.table, grantIds);
  }

  recordPayment(write: payments.PaymentWrite): Promise<payments.PaymentOutcome> {
    return payments.recordPayment(this.table, write);
  }

  writeExpectedPayment(write: expected.ExpectedPaymentWrite): Promise<'written' | 'grant-changed'> {
    return expected.writeExpectedPayment(this.table, write);
  }

  findExpectedPayment(
    grantId: string,
    expectedPaymentId: string,
  ): Promise<ExpectedPaymentRecord | undefined> {
    return expected.findExpectedPayment(this.table, grantId, expectedPaymentId);
  }

  /**
   * Every OPEN expected payment due on or before `to`, overdue ones included, of every grant: one
   * Query on a sparse index partition, no Scan (the weekly digest's "money still to come").
   */
  openExpectedPaymentsDueBy(to: IsoDate): Promise<expected.DueReads<ExpectedPaymentRecord>> {
    return expected.openExpectedPaymentsDueBy(this.table, to);
  }

  /** A grant's history, newest first, one page. */
  listHistory(
    grantId: string,
    query: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<history.HistoryPage> {
    return history.listHistory(this.table, grantId, query);
  }

  addDeadline(
    deadline: DeadlineRecord,
    grant: GrantRecord,
    events: readonly OutboxEvent[],
    entries: readonly HistoryRecord[],
  ): Promise<void> {
    return deadlines.addDeadline(this.table, deadline, grant, events, entries);
  }

  updateDeadline(
    deadline: DeadlineRecord,
    grant: GrantRecord,
    expected: { readonly status: string; readonly revision: number },
    events: readonly OutboxEvent[],
    entries: readonly HistoryRecord[],
  ): Promise<void> {
    return deadlines.updateDeadline(this.table, deadline, grant, expected, events, entries);
  }

  listDeadlines(query: deadlines.DeadlineListQuery): ReturnType<typeof deadlines.listDeadlines> {
    return deadlines.listDeadlines(this.table, query);
  }

  readTotals(view: TotalsView, years: { from?: number; to?: number } = {}): Promise<TotalsCell[]> {
    return totals.readTotals(this.table, view, years);
  }

  dueForAlerts(today: string): ReturnType<typeof alerts.dueForAlerts> {
    return alerts.dueForAlerts(this.table, today);
  }

  recordSweep(outcome: alerts.SweepOutcome): Promise<alerts.SweepWrite> {
    return alerts.recordSweep(this.table, outcome);
  }

  /** Answers once the table does: a key lookup that finds nothing. */
  async ping(): Promise<void> {
    await this.table.db.send(
      new GetCommand({ TableName: this.table.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }),
    );
  }
}
