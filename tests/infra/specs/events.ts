import { describe, expect, it } from 'vitest';
import { alertsToNotifier, auditAll, EVENT_RULES } from '../../../events/rules';
import { TEST_CONFIG } from '../support/app';
import { s } from '../support/current';
import { logicalId, type Resource } from '../support/template';

type Target = {
  Arn: unknown;
  DeadLetterConfig?: { Arn: unknown };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
};

const ruleResource = (id: string): Resource => {
  const rule = s.stack.stateless.rules[id];
  if (!rule) throw new Error(`no rule ${id}`);
  const resource = s.resource(logicalId(rule));
  if (!resource) throw new Error(`no resource for rule ${id}`);
  return resource;
};

const isDeadLetterQueue = (arn: unknown) => /^dlq\(\w+\)$/.test(s.describe(arn));

describe('event rules (from events/rules.ts)', () => {
  it('exist exactly as EVENT_RULES defines them, on the custom bus', () => {
    expect(s.ofType('AWS::Events::Rule').length).toBe(EVENT_RULES.length);
    for (const def of EVENT_RULES) {
      const props = ruleResource(def.id).Properties ?? {};
      expect(props.EventPattern).toEqual(def.eventPattern);
      expect(s.describe(props.EventBusName)).toBe('Bus');
      expect(props.State ?? 'ENABLED').toBe('ENABLED');
    }
  });

  it('send alerts to the notifier', () => {
    const [target] = ruleResource(alertsToNotifier.id).Properties.Targets as Target[];
    expect(s.describe(target?.Arn)).toBe('fn(notifier)');
  });

  it('copy every event to the audit log group, which lets EventBridge write to it for this rule only', () => {
    const [target] = ruleResource(auditAll.id).Properties.Targets as Target[];
    expect(s.describe(target?.Arn)).toBe('arn:{Partition}:logs:eu-central-1:123456789012:log-group:AuditLog');
    const [, policy] = s.single('AWS::Logs::ResourcePolicy');
    const document = JSON.stringify(policy.Properties.PolicyDocument);
    expect(document).toContain('events.amazonaws.com');
    const rule = s.stack.stateless.rules[auditAll.id];
    if (!rule) throw new Error('no audit rule');
    expect(document).toContain(logicalId(rule));
  });

  it('put a dead-letter queue and a retry policy behind every target', () => {
    for (const [id, rule] of s.ofType('AWS::Events::Rule')) {
      for (const target of rule.Properties.Targets as Target[]) {
        expect(isDeadLetterQueue(target.DeadLetterConfig?.Arn), `${id} → ${s.describe(target.Arn)}`).toBe(
          true,
        );
        expect(target.RetryPolicy?.MaximumEventAgeInSeconds).toBeGreaterThan(0);
      }
    }
  });

  it('let EventBridge send to those dead-letter queues, for their rule only', () => {
    for (const [, rule] of s.ofType('AWS::Events::Rule')) {
      for (const target of rule.Properties.Targets as Target[]) {
        const queue = s.describe(target.DeadLetterConfig?.Arn);
        const [, policy] = s
          .ofType('AWS::SQS::QueuePolicy')
          .find(([, p]) =>
            (p.Properties.Queues as { Ref: string }[]).some((q) => s.label(q.Ref) === queue),
          ) ?? ['', { Type: 'none', Properties: { PolicyDocument: { Statement: [] } } }];
        const allow = (
          policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
        ).Statement.find((statement) => statement.Effect === 'Allow');
        expect(allow?.Principal).toEqual({ Service: 'events.amazonaws.com' });
        expect(allow?.Condition).toMatchObject({ ArnEquals: { 'aws:SourceArn': expect.anything() } });
      }
    }
  });
});

describe('daily sweep (EventBridge Scheduler)', () => {
  const schedule = () => {
    const found = s
      .ofType('AWS::Scheduler::Schedule')
      .find(([, schedule]) => s.describe((schedule.Properties.Target as Target).Arn) === 'fn(sweeper)')?.[1];
    if (!found) throw new Error('no schedule invokes the sweeper');
    return found.Properties ?? {};
  };

  it('runs at 06:00 every day in Europe/Copenhagen', () => {
    expect(schedule().ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(schedule().ScheduleExpressionTimezone).toBe('Europe/Copenhagen');
    expect(schedule().FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(schedule().State ?? 'ENABLED').toBe('ENABLED');
  });

  it('invokes the sweeper, with retries and a dead-letter queue', () => {
    const target = schedule().Target as Target & { RoleArn: unknown; Input?: string };
    expect(s.describe(target.Arn)).toBe('fn(sweeper)');
    expect(target.Input).toBe('{}');
    expect(target.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(s.describe(target.DeadLetterConfig?.Arn)).toBe('dlq(sweepSchedule)');
  });

  it('does so with a role that may invoke the sweeper and write its DLQ, nothing else', () => {
    const target = schedule().Target as { RoleArn: unknown };
    expect(s.permissionsOf(s.describe(target.RoleArn))).toEqual([
      'lambda:InvokeFunction fn(sweeper)',
      'sqs:SendMessage dlq(sweepSchedule)',
    ]);
  });
});

describe('ledger stream → publisher', () => {
  const mapping = () => {
    const [, found] = s.single('AWS::Lambda::EventSourceMapping');
    if (!found) throw new Error('no event source mapping');
    return found.Properties ?? {};
  };

  it('reads the ledger stream from its oldest record, reporting partial batch failures', () => {
    expect(s.describe(mapping().EventSourceArn)).toBe('Ledger/stream');
    expect(s.describe(mapping().FunctionName)).toBe('fn(publisher)');
    expect(mapping().StartingPosition).toBe('TRIM_HORIZON');
    expect(mapping().FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping().BisectBatchOnFunctionError).toBe(true);
  });

  it('sends batches that keep failing to a dead-letter queue', () => {
    const destination = (mapping().DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure
      .Destination;
    expect(s.describe(destination)).toBe('dlq(publisher)');
    expect(mapping().MaximumRetryAttempts).toBeGreaterThan(0);
  });

  it('invokes the publisher for new outbox items only', () => {
    const { Filters } = mapping().FilterCriteria as { Filters: { Pattern: string }[] };
    expect(Filters.map((f) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } },
    ]);
  });
});

describe('a dead-letter queue behind every asynchronous hop', () => {
  it('functions invoked asynchronously (rule and schedule targets) have one', () => {
    const asyncTargets = new Set<string>();
    for (const [, rule] of s.ofType('AWS::Events::Rule'))
      for (const target of rule.Properties.Targets as Target[]) asyncTargets.add(s.describe(target.Arn));
    for (const [, schedule] of s.ofType('AWS::Scheduler::Schedule'))
      asyncTargets.add(s.describe((schedule.Properties.Target as Target).Arn));
    const functions = [...asyncTargets].filter((target) => target.startsWith('fn('));
    expect(functions.sort()).toEqual(['fn(digest)', 'fn(notifier)', 'fn(sweeper)']);
    for (const fn of functions) {
      const id = s.ofType('AWS::Lambda::Function').find(([logical]) => s.label(logical) === fn)?.[0] ?? '';
      const config = s.resource(id).Properties.DeadLetterConfig as { TargetArn: unknown } | undefined;
      expect(isDeadLetterQueue(config?.TargetArn), fn).toBe(true);
    }
  });

  it('the operators’ e-mail subscription has one', () => {
    const [, subscription] = s.single('AWS::SNS::Subscription');
    expect(subscription.Properties.Protocol).toBe('email');
    expect(subscription.Properties.Endpoint).toBe(TEST_CONFIG.operatorEmail);
    const redrive = subscription.Properties.RedrivePolicy as { deadLetterTargetArn: unknown };
    expect(s.describe(redrive.deadLetterTargetArn)).toBe('dlq(operatorAlerts)');
  });

  it('every dead-letter queue is used by something', () => {
    const used = new Set<string>();
    const collect = (value: unknown) => {
      const text = s.describe(value);
      if (/^dlq\(/.test(text)) used.add(text);
    };
    for (const [, rule] of s.ofType('AWS::Events::Rule'))
      for (const target of rule.Properties.Targets as Target[]) collect(target.DeadLetterConfig?.Arn);
    for (const [, schedule] of s.ofType('AWS::Scheduler::Schedule'))
      collect((schedule.Properties.Target as Target).DeadLetterConfig?.Arn);
    for (const [, fn] of s.ofType('AWS::Lambda::Function'))
      collect((fn.Properties.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn);
    for (const [, mapping] of s.ofType('AWS::Lambda::EventSourceMapping'))
      collect(
        (mapping.Properties.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure
          .Destination,
      );
    for (const [, subscription] of s.ofType('AWS::SNS::Subscription'))
      collect(
        (subscription.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn,
      );
    expect([...used].sort()).toEqual(
      Object.keys(s.stack.stateful.deadLetterQueues)
        .map((key) => `dlq(${key})`)
        .sort(),
    );
  });
});

describe('alert e-mail', () => {
  it('is sent from the configured address, created as an SES identity', () => {
    s.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: TEST_CONFIG.alertSender });
  });
});
