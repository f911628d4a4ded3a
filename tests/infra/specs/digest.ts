import { describe, expect, it } from 'vitest';
import { s } from '../support/current';

interface Target {
  readonly Arn: unknown;
  readonly RoleArn: unknown;
  readonly Input?: string;
  readonly RetryPolicy?: {
    readonly MaximumRetryAttempts?: number;
    readonly MaximumEventAgeInSeconds?: number;
  };
  readonly DeadLetterConfig?: { readonly Arn: unknown };
}

describe('weekly digest (EventBridge Scheduler)', () => {
  const schedule = () => {
    const found = s
      .ofType('AWS::Scheduler::Schedule')
      .find(([, schedule]) => s.describe((schedule.Properties.Target as Target).Arn) === 'fn(digest)')?.[1];
    if (!found) throw new Error('no schedule invokes the digest');
    return found.Properties ?? {};
  };

  it('runs on Mondays at 07:00 in Europe/Copenhagen, whatever the season', () => {
    expect(schedule().ScheduleExpression).toBe('cron(0 7 ? * MON *)');
    expect(schedule().ScheduleExpressionTimezone).toBe('Europe/Copenhagen');
    expect(schedule().FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(schedule().State ?? 'ENABLED').toBe('ENABLED');
  });

  it('invokes the digest with retries through the morning and a dead-letter queue', () => {
    const target = schedule().Target as Target;
    expect(target.Input).toBe('{}');
    expect(target.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(target.RetryPolicy?.MaximumEventAgeInSeconds).toBeLessThanOrEqual(6 * 3600);
    expect(s.describe(target.DeadLetterConfig?.Arn)).toBe('dlq(digestSchedule)');
  });

  it('with a role that may invoke the digest and write its DLQ, nothing else', () => {
    const target = schedule().Target as Target;
    expect(s.permissionsOf(s.describe(target.RoleArn))).toEqual([
      'lambda:InvokeFunction fn(digest)',
      'sqs:SendMessage dlq(digestSchedule)',
    ]);
  });

  it('the digest function keeps failed runs in its own dead-letter queue', () => {
    const fn = s.functionResource('digest').Properties ?? {};
    const config = fn.DeadLetterConfig as { TargetArn: unknown } | undefined;
    expect(s.describe(config?.TargetArn)).toBe('dlq(digest)');
  });

  it('serves the unsubscribe routes from the digest API without the JWT authorizer', () => {
    const routes = s
      .ofType('AWS::ApiGatewayV2::Route')
      .map(([, route]) => route.Properties)
      .filter((props) => String(props.RouteKey).endsWith('/digest/unsubscribe'));
    expect(routes.map((props) => props.RouteKey).sort()).toEqual([
      'GET /digest/unsubscribe',
      'POST /digest/unsubscribe',
    ]);
    for (const props of routes) expect(props.AuthorizationType ?? 'NONE').toBe('NONE');
  });
});
