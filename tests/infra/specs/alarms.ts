import { describe, expect, it } from 'vitest';
import { TEST_CONFIG } from '../support/app';
import { s } from '../support/current';
import { logicalId } from '../support/template';

type Dimension = { Name: string; Value: unknown };

const alarms = () => s.ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});

/** Alarms on a metric, by what their dimension points at (`fn(sweeper)`, `dlq(publisher)`, ...). */
const alarmsOn = (namespace: string, metric: string) =>
  alarms()
    .filter((alarm) => alarm.Namespace === namespace && alarm.MetricName === metric)
    .map((alarm) => ({
      alarm,
      about: (alarm.Dimensions as Dimension[]).map((d) => s.describe(d.Value)).join(','),
    }));

const topicId = () => logicalId(s.stack.stateless.operatorTopic);

const mailsOperators = (alarm: Record<string, unknown>) =>
  (alarm.AlarmActions as unknown[]).some((action) => s.describe(action) === topicId());

describe('alarms', () => {
  it('watch every function for errors and throttles', () => {
    const fns = Object.values(s.stack.stateless.functions)
      .map((fn) => logicalId(fn))
      .sort();
    for (const metric of ['Errors', 'Throttles']) {
      const watched = alarmsOn('AWS/Lambda', metric);
      expect(watched.map((w) => w.about).sort()).toEqual(fns.map((id) => s.label(id)).sort());
      for (const { alarm } of watched) {
        expect(alarm.Threshold).toBe(1);
        expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      }
    }
  });

  it('fire as soon as a dead-letter queue holds a message, for every dead-letter queue', () => {
    const watched = alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible');
    expect(watched.map((w) => w.about).sort()).toEqual(
      Object.keys(s.stack.stateful.deadLetterQueues)
        .map((key) => `dlq(${key}).QueueName`)
        .sort(),
    );
    for (const { alarm } of watched) {
      expect(alarm.Threshold).toBe(1);
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    }
  });

  it('watch the publisher’s lag behind the ledger stream (IteratorAge)', () => {
    const [lag, ...others] = alarmsOn('AWS/Lambda', 'IteratorAge');
    expect(others).toEqual([]);
    expect(lag?.about).toBe('fn(publisher)');
    expect(lag?.alarm.Statistic).toBe('Maximum');
    // Minutes, well inside the 24 hours the stream keeps its records.
    expect(lag?.alarm.Threshold).toBeLessThanOrEqual(15 * 60 * 1000);
  });

  it('all go to the operators’ topic', () => {
    for (const alarm of alarms()) expect(mailsOperators(alarm), String(alarm.AlarmDescription)).toBe(true);
  });
});

describe('operators’ topic', () => {
  it('mails the configured operator address', () => {
    const [, subscription] = s.single('AWS::SNS::Subscription');
    expect(subscription.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: TEST_CONFIG.operatorEmail,
    });
    expect(s.describe(subscription.Properties.TopicArn)).toBe(topicId());
  });

  it('accepts publishes over TLS only, and lets this account’s CloudWatch alarms publish', () => {
    const [, policy] = s.single('AWS::SNS::TopicPolicy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sns:Publish',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
        }),
      ]),
    );
  });
});
