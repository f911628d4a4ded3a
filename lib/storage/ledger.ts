import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertThresholds } from '../domain/alerts';
import type { DeadlineRecord, GrantRecord, PaymentRecord } from '../domain/grant';
import type { TotalsCell, TotalsDelta, TotalsView } from '../domain/totals';
import * as alerts from './alerts';
import * as deadlines from './deadlines';
import * as grants from './grants';
import type { OutboxEvent } from './items';
import * as payments from './payments';
import { LedgerTable } from './table';
import * as totals from './totals';

export type { DueAlertItem, SweepOutcome } from './alerts';
export type { DeadlineListQuery } from './deadlines';
export type { GrantChange, GrantListQuery, GrantWithChildren } from './grants';
export { WriteConflict } from './table';

/**
 * The ledger repository: every read and write of grants, payments, deadlines and outbox events,
 * each aggregate's in its own module (grants.ts, payments.ts, deadlines.ts, totals.ts, alerts.ts)
 * over the shared primitives of table.ts. Each change and the events it causes are one
 * TransactWriteItems, so no event is ever lost.
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
  ): Promise<void> {
    return grants.registerGrant(this.table, grant, deadlineRecords, events, delta);
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

  recordPayment(
    grant: GrantRecord,
    payment: PaymentRecord,
    events: readonly OutboxEvent[],
    delta: TotalsDelta,
  ): Promise<payments.PaymentOutcome> {
    return payments.recordPayment(this.table, grant, payment, events, delta);
  }

  addDeadline(deadline: DeadlineRecord, grant: GrantRecord, events: readonly OutboxEvent[]): Promise<void> {
    return deadlines.addDeadline(this.table, deadline, grant, events);
  }

  updateDeadline(
    deadline: DeadlineRecord,
    grant: GrantRecord,
    expectedStatus: string,
    events: readonly OutboxEvent[],
  ): Promise<void> {
    return deadlines.updateDeadline(this.table, deadline, grant, expectedStatus, events);
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
