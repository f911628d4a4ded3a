/**
 * Names shared by the infrastructure and the runtime: one module, imported by both, so that a
 * table key, an environment variable or a detail-type is spelled in exactly one place.
 */

export const ENV = {
  /** The single table holding grants, payments, deadlines, totals, the outbox and alert records. */
  tableName: 'LEDGER_TABLE_NAME',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  alertSender: 'ALERT_SENDER',
  deadlineAlertDays: 'DEADLINE_ALERT_DAYS',
  fundingAlertDays: 'FUNDING_ALERT_DAYS',
  /** Set only in local mode: where AWS SDK clients send their requests. */
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  eventBridgeEndpoint: 'EVENTBRIDGE_ENDPOINT',
  outboxDir: 'OUTBOX_DIR',
  stage: 'STAGE',
  /** Where the web application is served (`https://<domain>`); links in e-mails point into `/app/`. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  /** Which directory groups of the municipality's identity provider give which role (JSON, AWS only). */
  directoryRoleGroups: 'DIRECTORY_ROLE_GROUPS',
} as const;

export const EVENT_SOURCE = 'funding-tracker';

export const DETAIL_TYPES = {
  grantRegistered: 'GrantRegistered',
  grantUpdated: 'GrantUpdated',
  grantStatusChanged: 'GrantStatusChanged',
  paymentRecorded: 'PaymentRecorded',
  deadlineAdded: 'DeadlineAdded',
  deadlineCompleted: 'DeadlineCompleted',
  deadlineApproaching: 'DeadlineApproaching',
  deadlineMissed: 'DeadlineMissed',
  grantExpiring: 'GrantExpiring',
  grantExpired: 'GrantExpired',
  expectedPaymentAdded: 'ExpectedPaymentAdded',
  expectedPaymentSettled: 'ExpectedPaymentSettled',
  paymentOverdue: 'PaymentOverdue',
  digestSent: 'DigestSent',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** The detail-types that are alerts to people; the notifier's rule matches exactly these. */
export const ALERT_DETAIL_TYPES = [
  DETAIL_TYPES.deadlineApproaching,
  DETAIL_TYPES.deadlineMissed,
  DETAIL_TYPES.grantExpiring,
  DETAIL_TYPES.grantExpired,
  DETAIL_TYPES.paymentOverdue,
] as const satisfies readonly DetailType[];

export const ROLES = ['lear-admin', 'project-lead', 'finance'] as const;
export type Role = (typeof ROLES)[number];

/** The claim that carries a caller's roles, as Amazon Cognito puts it in its tokens. */
export const GROUPS_CLAIM = 'cognito:groups';

/** The OAuth scope finance systems get through the client-credentials flow: read totals, nothing else. */
export const TOTALS_READ_SCOPE = 'funding-tracker/totals.read';
