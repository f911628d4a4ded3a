import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { ApiFunction } from '../lib/api/routes';
import { LEDGER_INDEXES } from '../lib/storage/tables';
import type { TableAccess } from './function';

/**
 * The function catalogue: every Lambda of the system, what invokes it and exactly what it may touch.
 * "Which IAM actions does the sweeper get" is answered here, in one place; infra/stateless.ts turns
 * each entry into an AppFunction and wires its trigger.
 */

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export type FunctionName = ApiFunction | 'publisher' | 'sweeper' | 'notifier' | 'digest';

export interface FunctionSpec {
  /** Absolute path of the handler module (it exports `handler`). */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /**
   * What invokes it, which decides where its failures go: `api` and `stream` invocations are
   * synchronous (the caller or the event source mapping sees the error); `schedule` and `event`
   * invocations are asynchronous and get a dead-letter queue.
   */
  readonly invokedBy: 'api' | 'stream' | 'schedule' | 'event';
  readonly ledger?: TableAccess;
  readonly idempotency?: TableAccess;
  /** events:PutEvents on the bus (only the publisher). */
  readonly putsEvents?: boolean;
  /** ses:SendEmail as the alert sender (the notifier and the weekly digest). */
  readonly sendsEmail?: boolean;
  /** Gets DEADLINE_ALERT_DAYS and FUNDING_ALERT_DAYS. */
  readonly alertThresholds?: boolean;
}

export type FunctionCatalogue = Readonly<Record<FunctionName, FunctionSpec>>;

const entry = (name: FunctionName) => join(PROJECT_ROOT, 'functions', name, 'handler.ts');
const { grantsByType, grantsByForvaltning, deadlinesByDue, alertsByDate } = LEDGER_INDEXES;

/** API Gateway's HTTP API waits at most 30 s for an integration; these answer well within it. */
const API_TIMEOUT = Duration.seconds(10);

export const FUNCTIONS: FunctionCatalogue = {
  'grants-api': {
    entry: entry('grants-api'),
    description: 'Grants API: register, read, list and change grants; payments; deadlines',
    memorySize: 1024,
    timeout: API_TIMEOUT,
    invokedBy: 'api',
    ledger: {
      // ConditionCheckItem, PutItem, UpdateItem and DeleteItem are the parts of its TransactWriteItems.
      items: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
      queryTable: true,
      queryIndexes: [grantsByType.name, grantsByForvaltning.name, deadlinesByDue.name],
    },
    // Powertools idempotency records for Idempotency-Key (get, conditional put, update, delete on failure).
    idempotency: { items: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] },
    // Writing a deadline or a grant places it in the sweeper's index by the same thresholds the sweeper uses.
    alertThresholds: true,
  },
  'meta-api': {
    entry: entry('meta-api'),
    description: 'Public /health and /openapi.json',
    memorySize: 512,
    timeout: API_TIMEOUT,
    invokedBy: 'api',
    // /health answers once a key lookup on the ledger does.
    ledger: { items: ['GetItem'] },
  },
  'totals-api': {
    entry: entry('totals-api'),
    description: 'Totals of awarded, received and outstanding funding, as JSON or CSV',
    memorySize: 1024,
    timeout: API_TIMEOUT,
    invokedBy: 'api',
    // The materialised totals of one view: a Query on its TOTALS# partition.
    ledger: { queryTable: true },
  },
  'calendar-api': {
    entry: entry('calendar-api'),
    description: 'The iCalendar feed of open deadlines and funding ends, and its feed tokens',
    memorySize: 512,
    timeout: API_TIMEOUT,
    invokedBy: 'api',
    ledger: {
      // Feed tokens: created (PutItem), looked up (GetItem), revoked (UpdateItem).
      items: ['GetItem', 'PutItem', 'UpdateItem'],
      // One grant with its deadlines (Query on its partition), deadlines by due month, grants for
      // their funding ends (all, or one forvaltning's).
      queryTable: true,
      queryIndexes: [deadlinesByDue.name, grantsByType.name, grantsByForvaltning.name],
    },
    // Reminders in the feed fall on the same thresholds as the e-mails.
    alertThresholds: true,
  },
  'digest-api': {
    entry: entry('digest-api'),
    description: 'One-click unsubscribe from the weekly digest (RFC 8058): the page and the POST',
    memorySize: 512,
    timeout: API_TIMEOUT,
    invokedBy: 'api',
    // The signing key and the address's opt-out by key (GetItem); the opt-out itself (UpdateItem).
    ledger: { items: ['GetItem', 'UpdateItem'] },
  },
  publisher: {
    entry: entry('publisher'),
    description: 'Publishes outbox events from the ledger stream to the event bus',
    memorySize: 512,
    timeout: Duration.seconds(60),
    invokedBy: 'stream',
    putsEvents: true,
  },
  sweeper: {
    entry: entry('sweeper'),
    description: 'Daily sweep: deadline and funding-expiry alerts due today (Europe/Copenhagen)',
    memorySize: 1024,
    timeout: Duration.minutes(5),
    invokedBy: 'schedule',
    // What is due from byAlertDate, its grants by BatchGetItem, then per item one TransactWriteItems:
    // the alert's outbox event (conditional Put) and the item's alert state (conditional Update).
    ledger: {
      items: ['BatchGetItem', 'PutItem', 'UpdateItem'],
      queryIndexes: [alertsByDate.name],
    },
    alertThresholds: true,
  },
  digest: {
    entry: entry('digest'),
    description: 'Weekly digest, Mondays 07:00 Europe/Copenhagen: one e-mail per address of what is due',
    memorySize: 1024,
    timeout: Duration.minutes(5),
    invokedBy: 'schedule',
    // What is due: OPEN deadlines by due month (byDue), funding ends (byAlertDate), their grants and
    // opt-outs by BatchGetItem; the signing key by GetItem (PutItem the first time); per address a
    // claim (UpdateItem), then one TransactWriteItems of the sent-record (UpdateItem) and the
    // DigestSent outbox event (PutItem); a failed send gives its claim back (DeleteItem).
    ledger: {
      items: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
      queryIndexes: [deadlinesByDue.name, alertsByDate.name],
    },
    sendsEmail: true,
  },
  notifier: {
    entry: entry('notifier'),
    description: 'E-mails alert events to their recipients through Amazon SES',
    memorySize: 512,
    timeout: Duration.seconds(30),
    invokedBy: 'event',
    // Dedupe by eventId: a consistent GetItem of its sent-record, a conditional PutItem after sending.
    ledger: { items: ['GetItem', 'PutItem'] },
    sendsEmail: true,
  },
};
