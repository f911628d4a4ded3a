import { ArnFormat, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { ScheduleTargetBase, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alertsToNotifier, auditAll, EVENT_RULES, toCdkEventPattern } from '../events/rules';
import { type ApiFunction, ROUTES, type RouteDef, routeKey } from '../lib/api/routes';
import { ENV } from '../lib/shared/names';
import { keys } from '../lib/storage/items';
import type { DeploymentConfig } from './config';
import { AppFunction } from './function';
import type { FunctionCatalogue, FunctionName } from './functions';
import { acknowledgeOn } from './nag';
import type { DeadLetterQueue, Stateful } from './stateful';

/**
 * Everything that can be replaced without losing data: the functions, the HTTP API, the event rules,
 * the daily schedule, the alarms and the operators' topic. Built from the shared definitions:
 * the function catalogue (infra/functions.ts), ROUTES (lib/api/routes.ts) and EVENT_RULES (events/rules.ts).
 */

export interface StatelessProps {
  readonly config: DeploymentConfig;
  readonly stateful: Stateful;
  readonly functions: FunctionCatalogue;
  /** Absolute path of the directory holding package-lock.json. */
  readonly projectRoot: string;
}

/** How often and how hard the API may be called before API Gateway answers 429 itself. */
const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;
/** The publisher is lagging when the oldest unpublished change is older than this. */
const PUBLISHER_LAG_THRESHOLD = Duration.minutes(5);
/** EventBridge keeps retrying a target for up to a day before a dead-letter queue gets the event. */
const TARGET_RETRY = { retryAttempts: 185, maxEventAge: Duration.hours(24) } as const;

const PASCAL = (name: string) =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** Invokes one function by its exact ARN (LambdaInvoke would also grant every version and alias: `<arn>:*`). */
export class InvokeFunction extends ScheduleTargetBase {
  constructor(
    private readonly fn: lambda.IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(props, fn.functionArn);
  }

  protected addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }),
    );
  }
}

/**
 * A CloudWatch Logs log group as a rule target, with the log group's resource policy made natively
 * (AWS::Logs::ResourcePolicy) instead of by the custom-resource Lambda that targets.CloudWatchLogGroup
 * deploys for it.
 */
class AuditLogTarget implements events.IRuleTarget {
  constructor(
    private readonly logGroup: logs.LogGroup,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {}

  bind(rule: events.IRule): events.RuleTargetConfig {
    this.logGroup.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
        ],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    targets.addToDeadLetterQueueResourcePolicy(rule, this.deadLetterQueue);
    return {
      ...targets.bindBaseTargetConfig({ deadLetterQueue: this.deadLetterQueue, ...TARGET_RETRY }),
      arn: Stack.of(this.logGroup).formatArn({
        service: 'logs',
        resource: 'log-group',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: this.logGroup.logGroupName,
      }),
      targetResource: this.logGroup,
    };
  }
}

export class Stateless extends Construct {
  readonly functions: Readonly<Record<FunctionName, AppFunction>>;
  readonly api: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  readonly authorizer: HttpUserPoolAuthorizer;
  readonly accessLog: logs.LogGroup;
  readonly rules: Readonly<Record<string, events.Rule>>;
  readonly dailySweep: scheduler.Schedule;
  readonly publisherStream: lambda.EventSourceMapping;
  readonly operatorTopic: sns.Topic;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StatelessProps) {
    super(scope, id);
    const { config, stateful } = props;
    const dlq = stateful.deadLetterQueues;

    // ---- Functions: one per concern, each with exactly the grants its catalogue entry lists ----
    const asyncDeadLetterQueue: Partial<Record<FunctionName, sqs.IQueue>> = {
      sweeper: dlq.sweeper,
      notifier: dlq.notifier,
      digest: dlq.digest,
    };
    const functionScope = new Construct(this, 'Functions');
    const built = {} as Record<FunctionName, AppFunction>;
    for (const [name, spec] of Object.entries(props.functions) as [
      FunctionName,
      FunctionCatalogue[FunctionName],
    ][]) {
      const isAsync = spec.invokedBy === 'schedule' || spec.invokedBy === 'event';
      const deadLetterQueue = asyncDeadLetterQueue[name];
      if (isAsync && !deadLetterQueue) {
        throw new Error(
          `${name} is invoked asynchronously and needs a dead-letter queue in infra/stateless.ts.`,
        );
      }
      const fn = new AppFunction(functionScope, PASCAL(name), {
        serviceName: name,
        entry: spec.entry,
        description: spec.description,
        memorySize: spec.memorySize,
        timeout: spec.timeout,
        deadLetterQueue,
        projectRoot: props.projectRoot,
      });
      if (spec.ledger) fn.bindTable(stateful.ledger, spec.ledger);
      if (spec.idempotency) fn.bindTable(stateful.idempotency, spec.idempotency);
      if (spec.putsEvents) fn.allowPutEvents(stateful.bus);
      if (spec.sendsEmail) fn.allowSendEmail(stateful.alertSender, config.alertSender);
      if (spec.alertThresholds) {
        fn.setEnv(ENV.deadlineAlertDays, config.deadlineAlertDays.join(','));
        fn.setEnv(ENV.fundingAlertDays, config.fundingAlertDays.join(','));
      }
      if (!isAsync) {
        acknowledgeOn(fn, {
          id: 'Serverless-LambdaDLQ',
          reason:
            spec.invokedBy === 'api'
              ? 'Invoked synchronously by API Gateway: the caller receives the error, and a Lambda dead-letter queue only ever receives failed asynchronous invocations.'
              : 'Invoked by a DynamoDB stream event source mapping, which is synchronous: failed batches go to the mapping’s own on-failure destination (the PublisherFailures queue), not to a function DLQ.',
        });
      }
      built[name] = fn;
    }
    this.functions = built;
    const fns = this.functions;

    // ---- Ledger stream → publisher ----
    fns.publisher.readStream(stateful.ledger);
    const streamArn = stateful.ledger.table.tableStreamArn;
    if (!streamArn) throw new Error('The ledger table must have a stream for the publisher.');
    this.publisherStream = new lambda.EventSourceMapping(this, 'LedgerStreamToPublisher', {
      target: fns.publisher,
      eventSourceArn: streamArn,
      // From the oldest record the stream still holds: a fresh mapping must not skip committed events.
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(24),
      onFailure: new SqsDlq(dlq.publisher),
      // Only a new outbox item is an event (the publisher skips everything else), so only those
      // invoke it. To republish, an operator deletes and re-puts the item (infra/README.md).
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith(keys.outbox('').pk) } } },
        }),
      ],
    });

    // ---- HTTP API: one route per ROUTES entry, the Cognito JWT authorizer on every 'jwt' route ----
    this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', stateful.userPool, {
      authorizerName: 'cognito',
      userPoolClients: [stateful.peopleClient, stateful.financeClient],
      identitySource: ['$request.header.Authorization'],
    });
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `funding-tracker-${config.stage}`,
      description: 'Funding tracker HTTP API',
      createDefaultStage: false,
      // No CORS: browsers reach the API on the web app's own origin, through the CloudFront
      // distribution (infra/web.ts); finance systems call it server to server.
    });
    this.accessLog = new logs.LogGroup(this, 'ApiAccessLog', { retention: logs.RetentionDays.THREE_MONTHS });
    this.apiStage = new apigwv2.HttpStage(this, 'ApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLog),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            caller: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });
    const integrations = new Map<ApiFunction, HttpLambdaIntegration>();
    const integrationFor = (fn: ApiFunction) => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${PASCAL(fn)}Integration`, fns[fn]);
        integrations.set(fn, integration);
      }
      return integration;
    };
    // No authorizationScopes on any route: a route's `scopes` (GET /totals: the finance systems'
    // client-credentials scope) are an alternative to its roles, which the handler checks; API Gateway
    // would instead demand the scope of every caller, and people's ID tokens carry no scope.
    for (const route of ROUTES) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrationFor(route.fn),
        authorizer: route.auth.kind === 'jwt' ? this.authorizer : new apigwv2.HttpNoneAuthorizer(),
      });
      if (!created) throw new Error(`No route was created for ${routeKey(route)}.`);
      const reason = publicRouteReason(route);
      if (reason) acknowledgeOn(created, { id: 'AwsSolutions-APIG4', reason });
    }

    // ---- Event rules from events/rules.ts, each with a dead-letter queue behind its target ----
    const ruleTargets: Readonly<Record<string, () => events.IRuleTarget>> = {
      [alertsToNotifier.id]: () =>
        new targets.LambdaFunction(fns.notifier, { deadLetterQueue: dlq.alertsDelivery, ...TARGET_RETRY }),
      [auditAll.id]: () => new AuditLogTarget(stateful.auditLog, dlq.auditDelivery),
    };
    const rules: Record<string, events.Rule> = {};
    for (const def of EVENT_RULES) {
      const target = ruleTargets[def.id];
      if (!target) {
        throw new Error(
          `events/rules.ts defines the rule ${def.id}, but infra/stateless.ts gives it no target.`,
        );
      }
      rules[def.id] = new events.Rule(this, def.id, {
        eventBus: stateful.bus,
        description: def.description,
        eventPattern: toCdkEventPattern(def.eventPattern),
        targets: [target()],
      });
    }
    for (const id of Object.keys(ruleTargets)) {
      if (!rules[id])
        throw new Error(
          `infra/stateless.ts wires a target for the rule ${id}, which events/rules.ts does not define.`,
        );
    }
    this.rules = rules;

    // ---- The daily sweep: 06:00 in Copenhagen, whatever the season ----
    this.dailySweep = new scheduler.Schedule(this, 'DailySweep', {
      description: 'Daily deadline and funding-expiry sweep at 06:00 Europe/Copenhagen',
      schedule: scheduler.ScheduleExpression.cron({
        minute: '0',
        hour: '6',
        timeZone: TimeZone.of('Europe/Copenhagen'),
      }),
      target: new InvokeFunction(fns.sweeper, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: dlq.sweepSchedule,
        // A sweep that cannot start is retried through the morning; the sweep itself is idempotent.
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
      }),
    });

    // ---- Alarms, mailed to the operators ----
    this.operatorTopic = new sns.Topic(this, 'OperatorAlerts', {
      displayName: `Funding tracker ${config.stage} alarms`,
      enforceSSL: true,
    });
    // A topic policy replaces the default one, so CloudWatch alarms of this account are let in explicitly.
    this.operatorTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.operatorTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.operatorTopic.addSubscription(
      new subscriptions.EmailSubscription(config.operatorEmail, { deadLetterQueue: dlq.operatorAlerts }),
    );
    const alarmAction = new cloudwatchActions.SnsAction(this.operatorTopic);
    const alarms: cloudwatch.Alarm[] = [];
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      props: Omit<cloudwatch.CreateAlarmOptions, 'metric'>,
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
      created.addAlarmAction(alarmAction);
      alarms.push(created);
      return created;
    };
    const fiveMinutes = Duration.minutes(5);
    for (const [name, fn] of Object.entries(fns) as [FunctionName, AppFunction][]) {
      alarm(`${PASCAL(name)}Errors`, fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }), {
        alarmDescription: `The ${name} function failed at least once in 5 minutes.`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      alarm(`${PASCAL(name)}Throttles`, fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }), {
        alarmDescription: `The ${name} function was throttled at least once in 5 minutes.`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    for (const [key, queue] of Object.entries(dlq) as [string, DeadLetterQueue][]) {
      alarm(
        `${PASCAL(key)}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
        {
          alarmDescription: `Messages wait in the dead-letter queue for ${queue.purpose}; see infra/README.md to redrive them.`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        },
      );
    }
    alarm(
      'PublisherLag',
      fns.publisher.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
      {
        alarmDescription: `The publisher is more than ${PUBLISHER_LAG_THRESHOLD.toMinutes()} minutes behind the ledger stream (IteratorAge); events reach the bus late and the stream keeps records for 24 hours only.`,
        threshold: PUBLISHER_LAG_THRESHOLD.toMilliseconds(),
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      },
    );
    alarm('Api5xx', this.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }), {
      alarmDescription: 'The API answered 5xx: PRODUCT.md allows none for anything a client sends.',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.alarms = alarms;
  }

  /**
   * Tells every function where the web application is served, for the links in e-mails and feeds.
   * Known only once the distribution exists, which depends on the HTTP API alone: no cycle.
   */
  servePublicAt(baseUrl: string): void {
    for (const fn of Object.values(this.functions)) fn.setEnv(ENV.publicBaseUrl, baseUrl);
  }
}

/** Why a route may go without the JWT authorizer, or undefined when it may not. */
const publicRouteReason = (route: RouteDef): string | undefined => {
  switch (route.auth.kind) {
    case 'jwt':
      return undefined;
    case 'public':
      if (route.fn === 'digest-api') {
        return `${routeKey(route)} is the weekly digest's one-click unsubscribe (RFC 8058): mail clients call it without any token, so the handler accepts only the HMAC-signed token the digest put in the link, for the one address it was signed for.`;
      }
      return `${routeKey(route)} is public by design (PRODUCT.md 4: "anyone"): a health probe or the API description, neither of which returns grant data.`;
    case 'feed-token':
      return `${routeKey(route)} is a calendar feed: calendar clients cannot send an Authorization header, so the handler checks a read-only feed token from the query string instead (PRODUCT.md 4).`;
  }
};
