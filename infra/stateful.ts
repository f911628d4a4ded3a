import { Aws, Duration, Lazy, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DIRECTORY_GROUPS_ATTRIBUTE } from '../lib/domain/directory-roles';
import { ENV, EVENT_SOURCE, ROLES, TOTALS_READ_SCOPE } from '../lib/shared/names';
import { IDEMPOTENCY_TABLE, type KeyDef, LEDGER_TABLE, TABLES, type TableDef } from '../lib/storage/tables';
import type { DeploymentConfig, IdentityProviderConfig } from './config';
import type { BindableTable, EnvName } from './function';
import { acknowledgeOn } from './nag';

/**
 * Everything that holds data or identity and must outlive a redeploy: the tables, the event bus with
 * its archive and audit log, the dead-letter queues, the SES sender identity and the user pool.
 * Nothing here depends on the functions, so the stateless half can be replaced freely.
 */

/** Which environment variable carries which table's name; a table without one is not reachable. */
const TABLE_ENV: Readonly<Record<string, EnvName>> = {
  [LEDGER_TABLE.id]: ENV.tableName,
  [IDEMPOTENCY_TABLE.id]: ENV.idempotencyTableName,
};

/** TOTALS_READ_SCOPE is `<resource server>/<scope>`, as Cognito writes it into the token's `scope` claim. */
const [RESOURCE_SERVER_ID = '', TOTALS_SCOPE_NAME = ''] = TOTALS_READ_SCOPE.split('/');

const attributeType = (key: KeyDef) =>
  key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;
const attribute = (key: KeyDef): dynamodb.Attribute => ({ name: key.name, type: attributeType(key) });

/** A TableDef from lib/storage/tables.ts as a DynamoDB table: the keys are never restated here. */
const tableFrom = (scope: Construct, def: TableDef): dynamodb.Table => {
  const table = new dynamodb.Table(scope, def.id, {
    partitionKey: attribute(def.partitionKey),
    sortKey: def.sortKey ? attribute(def.sortKey) : undefined,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    // DynamoDB always encrypts at rest; the AWS managed key makes every use of it visible in CloudTrail.
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: def.timeToLiveAttribute,
    stream: def.stream ? dynamodb.StreamViewType[def.stream] : undefined,
  });
  for (const index of def.indexes) {
    const projection = index.projection;
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
      projectionType:
        projection === 'ALL'
          ? dynamodb.ProjectionType.ALL
          : projection === 'KEYS_ONLY'
            ? dynamodb.ProjectionType.KEYS_ONLY
            : dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: typeof projection === 'string' ? undefined : [...projection],
    });
  }
  return table;
};

/** What sends its failures to a dead-letter queue. */
export type DeadLetterSource =
  | 'lambda'
  | 'eventbridge-target'
  | 'scheduler'
  | 'stream-mapping'
  | 'sns-subscription';

const SOURCE_NAMES: Readonly<Record<DeadLetterSource, string>> = {
  lambda: "a Lambda function's DeadLetterConfig",
  'eventbridge-target': "an EventBridge rule target's DeadLetterConfig",
  scheduler: "an EventBridge Scheduler target's DeadLetterConfig",
  'stream-mapping': "a DynamoDB stream event source mapping's on-failure destination",
  'sns-subscription': "an SNS subscription's RedrivePolicy",
};

/**
 * A queue that holds what could not be delivered until an operator redrives it (infra/README.md).
 * It is the end of its line: no DLQ of its own, which both cdk-nag packs would otherwise ask for.
 */
export class DeadLetterQueue extends sqs.Queue {
  constructor(
    scope: Construct,
    id: string,
    /** For what, in words an operator reads in the alarm. */
    readonly purpose: string,
    readonly source: DeadLetterSource,
  ) {
    super(scope, id, {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeOn(this, {
      id: 'Serverless-SQSRedrivePolicy',
      reason: `This queue is itself the dead-letter queue for ${purpose}; its messages wait for an operator to inspect and redrive them, and its depth alarm tells them to. A queue behind it would only move the problem.`,
    });
    // cdk-nag recognises a queue as a DLQ only when an SQS redrive policy or a Lambda DeadLetterConfig names it.
    if (source !== 'lambda') {
      acknowledgeOn(this, {
        id: 'AwsSolutions-SQS3',
        reason: `This queue is a dead-letter queue, named by ${SOURCE_NAMES[source]} (for ${purpose}), which AwsSolutions-SQS3 does not recognise; a DLQ of its own would only move the problem.`,
      });
    }
  }
}

export interface StatefulProps {
  readonly config: DeploymentConfig;
}

export class Stateful extends Construct {
  readonly ledger: BindableTable;
  readonly idempotency: BindableTable;
  readonly tables: readonly BindableTable[];
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  /** Every event, for the audit trail; EventBridge requires the /aws/events/ prefix for a log target. */
  readonly auditLog: logs.LogGroup;
  readonly alertSender: ses.EmailIdentity;
  readonly deadLetterQueues: {
    readonly publisher: DeadLetterQueue;
    readonly alertsDelivery: DeadLetterQueue;
    readonly notifier: DeadLetterQueue;
    readonly sweepSchedule: DeadLetterQueue;
    readonly sweeper: DeadLetterQueue;
    readonly digestSchedule: DeadLetterQueue;
    readonly digest: DeadLetterQueue;
    readonly auditDelivery: DeadLetterQueue;
    readonly operatorAlerts: DeadLetterQueue;
  };
  readonly userPool: cognito.UserPool;
  readonly userPoolDomain: cognito.UserPoolDomain;
  readonly peopleClient: cognito.UserPoolClient;
  readonly peopleSignInBranding: cognito.CfnManagedLoginBranding;
  readonly financeClient: cognito.UserPoolClient;
  readonly totalsReadScope: string;
  /** The municipality's identity provider, when the context names one. */
  readonly identityProvider?: cognito.IUserPoolIdentityProvider;
  private signInUrls?: { readonly callbackUrls: readonly string[]; readonly logoutUrls: readonly string[] };

  constructor(scope: Construct, id: string, props: StatefulProps) {
    super(scope, id);
    const { config } = props;

    // ---- Tables ----
    this.tables = TABLES.map((def) => {
      const envName = TABLE_ENV[def.id];
      if (!envName)
        throw new Error(`The table ${def.id} has no environment variable in infra/stateful.ts TABLE_ENV.`);
      return { table: tableFrom(this, def), def, envName };
    });
    const byId = (def: TableDef) => {
      const found = this.tables.find((t) => t.def.id === def.id);
      if (!found) throw new Error(`The table ${def.id} is not in TABLES.`);
      return found;
    };
    this.ledger = byId(LEDGER_TABLE);
    this.idempotency = byId(IDEMPOTENCY_TABLE);

    // ---- Events ----
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: `funding-tracker-${config.stage}`,
      description: 'Grant, payment, deadline and alert events of the funding tracker',
    });
    // No retention given: kept indefinitely, as a replay may need any day since the start.
    this.archive = this.bus.archive('Archive', {
      archiveName: `funding-tracker-${config.stage}`,
      description: 'Every funding-tracker event, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
    });
    this.auditLog = new logs.LogGroup(this, 'AuditLog', {
      logGroupName: `/aws/events/funding-tracker-${config.stage}-audit`,
      // EU programmes may audit a grant up to five years after its balance payment.
      retention: logs.RetentionDays.FIVE_YEARS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterQueues = {
      publisher: new DeadLetterQueue(
        this,
        'PublisherFailures',
        'ledger stream batches the publisher failed to publish',
        'stream-mapping',
      ),
      alertsDelivery: new DeadLetterQueue(
        this,
        'AlertsDeliveryFailures',
        'alert events EventBridge could not hand to the notifier',
        'eventbridge-target',
      ),
      notifier: new DeadLetterQueue(
        this,
        'NotifierFailures',
        'alert events the notifier failed to e-mail after its retries',
        'lambda',
      ),
      sweepSchedule: new DeadLetterQueue(
        this,
        'SweepScheduleFailures',
        'daily sweeps EventBridge Scheduler could not start',
        'scheduler',
      ),
      sweeper: new DeadLetterQueue(
        this,
        'SweeperFailures',
        'daily sweeps that failed after their retries',
        'lambda',
      ),
      digestSchedule: new DeadLetterQueue(
        this,
        'DigestScheduleFailures',
        'weekly digests EventBridge Scheduler could not start',
        'scheduler',
      ),
      digest: new DeadLetterQueue(
        this,
        'DigestFailures',
        'weekly digest runs that failed after their retries (a new run that week sends only what is missing)',
        'lambda',
      ),
      auditDelivery: new DeadLetterQueue(
        this,
        'AuditDeliveryFailures',
        'events EventBridge could not write to the audit log',
        'eventbridge-target',
      ),
      operatorAlerts: new DeadLetterQueue(
        this,
        'OperatorAlertFailures',
        'alarm notifications SNS could not deliver to the operators',
        'sns-subscription',
      ),
    };

    // The From address of alert e-mails. SES sends a verification mail to it on the first deploy.
    this.alertSender = new ses.EmailIdentity(this, 'AlertSender', {
      identity: ses.Identity.email(config.alertSender),
    });

    // ---- People and finance systems ----
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `funding-tracker-${config.stage}`,
      // The LEAR administrators create accounts; nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // Where a federated person's directory groups land, for the roles they give (infra/sign-in.ts).
      customAttributes: config.identityProvider?.roleGroups
        ? {
            [DIRECTORY_GROUPS_ATTRIBUTE.replace(/^custom:/, '')]: new cognito.StringAttribute({
              maxLen: 2048,
              mutable: true,
            }),
          }
        : undefined,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of ROLES) {
      new cognito.UserPoolGroup(this, `Group-${role}`, {
        userPool: this.userPool,
        groupName: role,
        description: `Funding tracker role ${role}`,
      });
    }
    // The hosted sign-in and the token endpoint (client credentials need one). The account id keeps
    // the globally unique prefix unique per account.
    this.userPoolDomain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `funding-tracker-${config.stage}-${Aws.ACCOUNT_ID}` },
      // Managed login (not the classic hosted UI): the page people sign in on from the web app.
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.identityProvider = config.identityProvider
      ? federate(this, this.userPool, config.identityProvider)
      : undefined;
    const totalsRead = new cognito.ResourceServerScope({
      scopeName: TOTALS_SCOPE_NAME,
      scopeDescription: 'Read totals of funding brought home',
    });
    const resourceServer = this.userPool.addResourceServer('Api', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'funding-tracker API',
      scopes: [totalsRead],
    });
    this.totalsReadScope = TOTALS_READ_SCOPE;

    // People sign in in the browser: authorization code with PKCE, a public client without a secret.
    this.peopleClient = this.userPool.addClient('PeopleClient', {
      userPoolClientName: 'people',
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        // The web app's sign-in page on the distribution's domain, known once infra/web.ts made it.
        callbackUrls: Lazy.list({ produce: () => this.requireSignInUrls().callbackUrls }),
        logoutUrls: Lazy.list({ produce: () => this.requireSignInUrls().logoutUrls }),
      },
      // The user pool's own accounts (the first LEAR administrator, break-glass) and, if configured,
      // the municipality's identity provider.
      supportedIdentityProviders: [
        cognito.UserPoolClientIdentityProvider.COGNITO,
        ...(this.identityProvider
          ? [cognito.UserPoolClientIdentityProvider.custom(this.identityProvider.providerName)]
          : []),
      ],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });
    if (this.identityProvider) this.peopleClient.node.addDependency(this.identityProvider);
    // Managed login needs a style per app client; Cognito's own look, in the browser's language.
    this.peopleSignInBranding = new cognito.CfnManagedLoginBranding(this, 'PeopleSignInBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.peopleClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    // Finance systems reconcile totals machine to machine: client credentials with the totals scope only.
    this.financeClient = this.userPool.addClient('FinanceSystemsClient', {
      userPoolClientName: 'finance-systems',
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [cognito.OAuthScope.resourceServer(resourceServer, totalsRead)],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
    });
  }

  /** Where the people client may send browsers after sign-in and sign-out: the web app (infra/web.ts). */
  allowSignInAt(urls: {
    readonly callbackUrls: readonly string[];
    readonly logoutUrls: readonly string[];
  }): void {
    this.signInUrls = urls;
  }

  private requireSignInUrls() {
    if (!this.signInUrls) {
      throw new Error(
        'The people client has no sign-in URLs: the stack must call allowSignInAt with the web app’s.',
      );
    }
    return { callbackUrls: [...this.signInUrls.callbackUrls], logoutUrls: [...this.signInUrls.logoutUrls] };
  }
}

/**
 * Federation to the municipality's identity provider (PRODUCT.md 7): people sign in with their own
 * account, Cognito makes a user for them on first sign-in, and that user's groups in the pool are
 * their roles (infra/README.md, "Federation", tells how groups are given).
 */
const federate = (
  scope: Construct,
  userPool: cognito.UserPool,
  idp: IdentityProviderConfig,
): cognito.IUserPoolIdentityProvider => {
  if (idp.type === 'oidc') {
    return new cognito.UserPoolIdentityProviderOidc(scope, 'IdentityProvider', {
      userPool,
      name: idp.name,
      issuerUrl: idp.issuerUrl,
      clientId: idp.clientId,
      // A dynamic reference: CloudFormation reads the secret at deploy time, the template never holds it.
      clientSecret: SecretValue.secretsManager(idp.clientSecretArn, {
        jsonField: idp.clientSecretField,
      }).unsafeUnwrap(),
      scopes: [...idp.scopes],
      attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
      attributeMapping: attributeMapping(idp.emailClaim, idp.groupsClaim),
    });
  }
  return new cognito.UserPoolIdentityProviderSaml(scope, 'IdentityProvider', {
    userPool,
    name: idp.name,
    metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(idp.metadataUrl),
    idpSignout: true,
    attributeMapping: attributeMapping(idp.emailAttribute, idp.groupsClaim),
  });
};

/** The e-mail address, and the directory groups when roles come from them, mapped on every sign-in. */
const attributeMapping = (email: string, groups: string | undefined): cognito.AttributeMapping => ({
  email: cognito.ProviderAttribute.other(email),
  ...(groups ? { custom: { [DIRECTORY_GROUPS_ATTRIBUTE]: cognito.ProviderAttribute.other(groups) } } : {}),
});
