import { describe, expect, it } from 'vitest';
import type { FunctionName } from '../../../infra/functions';
import { ENV } from '../../../lib/shared/names';
import { TEST_CONFIG } from '../support/app';
import { s } from '../support/current';
import { logicalId } from '../support/template';

const NAMES: readonly FunctionName[] = [
  'grants-api',
  'meta-api',
  'totals-api',
  'calendar-api',
  'publisher',
  'sweeper',
  'notifier',
  'digest-api',
  'digest',
];

/** What every function may do: write its own logs and its traces (X-Ray has no resource-level permissions). */
const baseline = (name: FunctionName) => [
  `logs:CreateLogStream logs(${name})`,
  `logs:PutLogEvents logs(${name})`,
  'xray:PutTelemetryRecords *',
  'xray:PutTraceSegments *',
];

/**
 * The exact permissions of each function, written out by hand: a change to the catalogue that widens
 * (or narrows) what a function may do has to change this table too.
 */
const EXPECTED_PERMISSIONS: Readonly<Record<FunctionName, readonly string[]>> = {
  'grants-api': [
    'dynamodb:ConditionCheckItem Ledger',
    'dynamodb:DeleteItem Ledger',
    'dynamodb:GetItem Ledger',
    'dynamodb:PutItem Ledger',
    'dynamodb:Query Ledger',
    'dynamodb:UpdateItem Ledger',
    'dynamodb:Query Ledger/index/byType',
    'dynamodb:Query Ledger/index/byForvaltning',
    'dynamodb:Query Ledger/index/byDue',
    'dynamodb:DeleteItem Idempotency',
    'dynamodb:GetItem Idempotency',
    'dynamodb:PutItem Idempotency',
    'dynamodb:UpdateItem Idempotency',
  ],
  'meta-api': ['dynamodb:GetItem Ledger'],
  'totals-api': ['dynamodb:Query Ledger'],
  'calendar-api': [
    'dynamodb:GetItem Ledger',
    'dynamodb:PutItem Ledger',
    'dynamodb:UpdateItem Ledger',
    'dynamodb:Query Ledger',
    'dynamodb:Query Ledger/index/byDue',
    'dynamodb:Query Ledger/index/byType',
    'dynamodb:Query Ledger/index/byForvaltning',
  ],
  publisher: [
    'dynamodb:DescribeStream Ledger/stream',
    'dynamodb:GetRecords Ledger/stream',
    'dynamodb:GetShardIterator Ledger/stream',
    'dynamodb:ListStreams Ledger/stream',
    'events:PutEvents Bus',
    // The stream mapping's on-failure destination.
    'sqs:GetQueueAttributes dlq(publisher)',
    'sqs:GetQueueUrl dlq(publisher)',
    'sqs:SendMessage dlq(publisher)',
  ],
  sweeper: [
    'dynamodb:BatchGetItem Ledger',
    'dynamodb:PutItem Ledger',
    'dynamodb:UpdateItem Ledger',
    'dynamodb:Query Ledger/index/byAlertDate',
    // Its dead-letter queue for failed asynchronous invocations.
    'sqs:SendMessage dlq(sweeper)',
  ],
  notifier: [
    'dynamodb:GetItem Ledger',
    'dynamodb:PutItem Ledger',
    // Only as the configured sender (the test stack's account and region).
    'ses:SendEmail arn:{Partition}:ses:eu-central-1:123456789012:identity/AlertSender',
    'sqs:SendMessage dlq(notifier)',
  ],
  'digest-api': ['dynamodb:GetItem Ledger', 'dynamodb:UpdateItem Ledger'],
  digest: [
    'dynamodb:BatchGetItem Ledger',
    'dynamodb:DeleteItem Ledger',
    'dynamodb:GetItem Ledger',
    'dynamodb:PutItem Ledger',
    'dynamodb:UpdateItem Ledger',
    'dynamodb:Query Ledger/index/byDue',
    'dynamodb:Query Ledger/index/byAlertDate',
    // From the alerts' sender only; no Scan, no Query on the table itself.
    'ses:SendEmail arn:{Partition}:ses:eu-central-1:123456789012:identity/AlertSender',
    'sqs:SendMessage dlq(digest)',
  ],
};

/** The environment each function gets besides POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL and NODE_OPTIONS. */
const EXPECTED_ENV: Readonly<Record<FunctionName, readonly string[]>> = {
  'grants-api': [ENV.tableName, ENV.idempotencyTableName, ENV.deadlineAlertDays, ENV.fundingAlertDays],
  'meta-api': [ENV.tableName],
  'totals-api': [ENV.tableName],
  'calendar-api': [ENV.tableName, ENV.deadlineAlertDays, ENV.fundingAlertDays],
  publisher: [ENV.eventBusName],
  sweeper: [ENV.tableName, ENV.deadlineAlertDays, ENV.fundingAlertDays],
  notifier: [ENV.tableName, ENV.alertSender],
  'digest-api': [ENV.tableName],
  digest: [ENV.tableName, ENV.alertSender],
};

describe('functions', () => {
  it('are the nine of the catalogue, one per concern', () => {
    expect(Object.keys(s.stack.stateless.functions).sort()).toEqual([...NAMES].sort());
    expect(
      s
        .ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    ).toEqual(
      // ...and the one CDK's BucketDeployment brings to copy the web app into its bucket (web.test.ts).
      [
        ...NAMES.map((name) => logicalId(s.stack.stateless.functions[name])),
        logicalId(s.stack.web.deploymentFunction),
      ].sort(),
    );
  });

  describe.each(NAMES)('%s', (name) => {
    it('runs Node.js 22 on arm64 with active tracing, explicit memory and timeout', () => {
      const props = s.functionResource(name).Properties ?? {};
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.Handler).toBe('index.handler');
      expect(props.MemorySize).toBeGreaterThanOrEqual(256);
      expect(props.Timeout).toBeGreaterThan(3);
    });

    it('logs to its own log group with a retention', () => {
      const props = s.functionResource(name).Properties ?? {};
      const logGroupId = (props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(s.label(logGroupId)).toBe(`logs(${name})`);
      expect(s.resource(logGroupId).Properties.RetentionInDays).toBeGreaterThan(0);
    });

    it('has exactly the permissions it uses', () => {
      expect(s.functionPermissions(name)).toEqual([...baseline(name), ...EXPECTED_PERMISSIONS[name]].sort());
    });

    it('gets only the environment variables it uses, named as in lib/shared/names.ts', () => {
      const variables = (
        s.functionResource(name).Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(Object.keys(variables).sort()).toEqual(
        [
          'NODE_OPTIONS',
          'POWERTOOLS_LOG_LEVEL',
          'POWERTOOLS_SERVICE_NAME',
          // Where the web app is served: links in e-mails, feed and subscription URLs (infra/web.ts).
          ENV.publicBaseUrl,
          ...EXPECTED_ENV[name],
        ].sort(),
      );
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe(name);
      expect(variables.POWERTOOLS_LOG_LEVEL).toBe('INFO');
      expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    });
  });

  it('pass the configured values', () => {
    const env = (name: FunctionName) =>
      (s.functionResource(name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(s.describe(env('grants-api')[ENV.tableName])).toBe('Ledger');
    expect(s.describe(env('grants-api')[ENV.idempotencyTableName])).toBe('Idempotency');
    expect(s.describe(env('publisher')[ENV.eventBusName])).toBe('Bus');
    expect(env('notifier')[ENV.alertSender]).toBe(TEST_CONFIG.alertSender);
    expect(env('sweeper')[ENV.deadlineAlertDays]).toBe(TEST_CONFIG.deadlineAlertDays.join(','));
    expect(env('sweeper')[ENV.fundingAlertDays]).toBe(TEST_CONFIG.fundingAlertDays.join(','));
    expect(env('grants-api')[ENV.deadlineAlertDays]).toBe(env('sweeper')[ENV.deadlineAlertDays]);
  });

  it('never scan, never use a wildcard action, and only X-Ray uses a wildcard resource', () => {
    for (const name of NAMES) {
      for (const permission of s.functionPermissions(name)) {
        const [action = '', resource = ''] = permission.split(' ');
        expect(action).not.toBe('dynamodb:Scan');
        expect(action).not.toContain('*');
        if (resource.includes('*')) expect(action).toMatch(/^xray:/);
      }
    }
  });

  it('lets only the publisher put events and only the notifier and the weekly digest send e-mail', () => {
    const holders = (action: string) =>
      NAMES.filter((name) => s.functionPermissions(name).some((p) => p.startsWith(`${action} `)));
    expect(holders('events:PutEvents')).toEqual(['publisher']);
    expect(holders('ses:SendEmail')).toEqual(['notifier', 'digest']);
  });

  it('roles carry no AWS managed policies', () => {
    for (const [, role] of s.ofType('AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
