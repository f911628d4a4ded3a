import { Duration, TimeZone } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { InvokeFunction } from './stateless';

export interface WeeklyDigestProps {
  /** The digest function (infra/functions.ts `digest`), with its grants. */
  readonly fn: lambda.IFunction;
  /** Where a digest the Scheduler could not start goes. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * The weekly digest's schedule (PRODUCT.md 3): every Monday at 07:00 in Copenhagen, whatever the
 * season, EventBridge Scheduler invokes the digest function. Its role may invoke that function's
 * exact ARN and nothing else. A run sends each address at most one digest per ISO week, so the
 * Scheduler's retries through the morning never send one twice.
 */
export class WeeklyDigest extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: WeeklyDigestProps) {
    super(scope, id);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Weekly digest at 07:00 Europe/Copenhagen on Mondays',
      schedule: scheduler.ScheduleExpression.cron({
        minute: '0',
        hour: '7',
        weekDay: 'MON',
        timeZone: TimeZone.of('Europe/Copenhagen'),
      }),
      target: new InvokeFunction(props.fn, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
      }),
    });
  }
}
