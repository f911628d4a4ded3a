import type { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../lib/shared/names';
import type { TableDef } from '../lib/storage/tables';
import { acknowledgeOn } from './nag';

/** The environment variables a function may be given: the shared names, and Powertools' own. */
export type EnvName =
  | (typeof ENV)[keyof typeof ENV]
  | 'POWERTOOLS_SERVICE_NAME'
  | 'POWERTOOLS_LOG_LEVEL'
  | 'NODE_OPTIONS';

/**
 * Item actions a function may be granted on a table. `Scan` is deliberately absent: nothing in this
 * system reads a whole table. TransactWriteItems / TransactGetItems have no IAM action of their own;
 * IAM authorises each Put, Update, Delete and ConditionCheck inside the transaction.
 */
export type ItemAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem';

export interface TableAccess {
  /** Item-level actions on the table. */
  readonly items?: readonly ItemAction[];
  /** Query on the table's own key (e.g. a grant with its payments and deadlines). */
  readonly queryTable?: boolean;
  /** Query on these global secondary indexes, by name; each must exist in the table's definition. */
  readonly queryIndexes?: readonly string[];
}

/** A table as the functions see it: the resource, its shared definition and the variable carrying its name. */
export interface BindableTable {
  readonly table: dynamodb.ITable;
  readonly def: TableDef;
  readonly envName: EnvName;
}

export interface AppFunctionProps {
  /** The service name in logs and traces, e.g. `grants-api`. */
  readonly serviceName: string;
  /** Absolute path to the handler module; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** For functions invoked asynchronously (EventBridge, Scheduler): where an event goes after Lambda's own retries fail. */
  readonly deadLetterQueue?: sqs.IQueue;
  readonly logRetention?: logs.RetentionDays;
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Absolute path of the directory holding package-lock.json. */
  readonly projectRoot: string;
}

/**
 * Every Lambda of the funding tracker: Node.js 22 on arm64, an ESM bundle built by the local esbuild,
 * minified with source maps, an explicit log group with retention, active X-Ray tracing and the
 * Powertools settings. Its role starts with nothing but writing its own logs and traces; whatever
 * else it may do is granted explicitly with `bindTable`, `allowPutEvents`, `allowSendEmail` and
 * `readStream`, action by action, resource by resource.
 */
export class AppFunction extends NodejsFunction {
  readonly serviceName: string;
  /** The execution role, made here so that it holds only what this class grants. */
  readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    // The role and log group are made here rather than by lambda.Function, whose default role
    // carries the AWS managed AWSLambdaBasicExecutionRole (logs:* on every log group).
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.serviceName} function`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Without it Node ignores the source maps shipped next to the bundle.
        NODE_OPTIONS: '--enable-source-maps',
      } satisfies Partial<Record<EnvName, string>>,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        logLevel: LogLevel.WARNING,
        // Some dependencies still call require(); an ESM bundle has none unless we make one.
        banner:
          "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
        // @aws-sdk/* is NOT bundled: the Node.js 22 runtime ships AWS SDK v3, and bundling the DynamoDB,
        // EventBridge and SES clients adds about 340 KB minified to every bundle, against the
        // 400 KB bar of PRODUCT.md 7. The price is that the SDK version is the runtime's, not the
        // lock file's; the code uses only long-stable v3 commands.
        bundleAwsSDK: false,
        externalModules: ['@aws-sdk/*'],
      },
    });
    this.serviceName = props.serviceName;
    this.executionRole = role;

    acknowledgeOn(
      this,
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime PRODUCT.md 6 specifies (LTS, supported by Lambda into 2027); moving to Node.js 24 is a deliberate upgrade tested with the toolchain, not a side effect of a CDK release.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason:
          'Node.js 22 is the runtime PRODUCT.md 6 specifies (LTS, supported by Lambda into 2027); moving to Node.js 24 is a deliberate upgrade tested with the toolchain, not a side effect of a CDK release.',
      },
    );
    // Active tracing makes CDK add xray:PutTraceSegments / xray:PutTelemetryRecords on "*" to this
    // role's default policy; nothing else in that policy may use "*" (tests/infra checks every action).
    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      acknowledgeOn(defaultPolicy, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only the X-Ray actions PutTraceSegments and PutTelemetryRecords use "*": they support no resource-level permissions (Service Authorization Reference, AWS X-Ray). Every other statement names its resource.',
      });
    }
  }

  /** Grants exactly the listed actions on the table and its indexes, and passes the table's name. */
  bindTable(target: BindableTable, access: TableAccess): this {
    const known = new Set(target.def.indexes.map((index) => index.indexName));
    for (const index of access.queryIndexes ?? []) {
      if (!known.has(index)) {
        throw new Error(
          `${this.serviceName} asks to query the index "${index}", which the ${target.def.id} table does not have (it has: ${[...known].join(', ') || 'none'}).`,
        );
      }
    }
    const tableActions = [...(access.items ?? []), ...(access.queryTable ? (['Query'] as const) : [])];
    if (tableActions.length > 0) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...new Set(tableActions)].sort().map((action) => `dynamodb:${action}`),
          resources: [target.table.tableArn],
        }),
      );
    }
    const indexes = access.queryIndexes ?? [];
    if (indexes.length > 0) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((index) => `${target.table.tableArn}/index/${index}`),
        }),
      );
    }
    this.setEnv(target.envName, target.table.tableName);
    return this;
  }

  /** What a Lambda event source mapping needs to poll the table's stream, on that stream only. */
  readStream(target: BindableTable): this {
    const streamArn = target.table.tableStreamArn;
    if (!streamArn)
      throw new Error(`The ${target.def.id} table has no stream for ${this.serviceName} to read.`);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        resources: [streamArn],
      }),
    );
    return this;
  }

  /** events:PutEvents on this bus only, and the bus's name. */
  allowPutEvents(bus: events.IEventBus): this {
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }),
    );
    this.setEnv(ENV.eventBusName, bus.eventBusName);
    return this;
  }

  /** ses:SendEmail as this identity only, and the sender address. */
  allowSendEmail(identity: ses.IEmailIdentity, sender: string): this {
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [identity.emailIdentityArn] }),
    );
    this.setEnv(ENV.alertSender, sender);
    return this;
  }

  /** The only way variables reach a function: names from lib/shared/names.ts. */
  setEnv(name: EnvName, value: string): this {
    this.addEnvironment(name, value);
    return this;
  }
}
