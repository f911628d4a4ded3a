import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ROUTES } from '../lib/api/routes';
import type { DeploymentConfig } from './config';
import { WeeklyDigest } from './digest';
import type { FunctionCatalogue } from './functions';
import { DirectoryRoles } from './sign-in';
import { Stateful } from './stateful';
import { Stateless } from './stateless';
import { type WebAppSource, WebHosting } from './web';

export interface FundingTrackerStackProps extends StackProps {
  readonly config: DeploymentConfig;
  /** The functions to deploy: infra/app.ts passes the full catalogue (infra/functions.ts). */
  readonly functions: FunctionCatalogue;
  /** Absolute path of the directory holding package-lock.json. */
  readonly projectRoot: string;
  /** The web app's files; by default built from `<projectRoot>/web` during synth (infra/web.ts). */
  readonly web?: WebAppSource;
}

/**
 * The one stack PRODUCT.md 6 asks for, in two halves: Stateful (data and identity, retained) and
 * Stateless (functions, API, rules, schedule, alarms), so that which resource keeps data is never a guess.
 */
export class FundingTrackerStack extends Stack {
  readonly stateful: Stateful;
  readonly stateless: Stateless;
  readonly weeklyDigest: WeeklyDigest;
  readonly web: WebHosting;
  /** Roles from the municipality's directory, when the identity provider's groups give them. */
  readonly directoryRoles?: DirectoryRoles;

  constructor(scope: Construct, id: string, props: FundingTrackerStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.stateful = new Stateful(this, 'Stateful', { config });
    this.stateless = new Stateless(this, 'Stateless', {
      config,
      stateful: this.stateful,
      functions: props.functions,
      projectRoot: props.projectRoot,
    });
    this.weeklyDigest = new WeeklyDigest(this, 'WeeklyDigest', {
      fn: this.stateless.functions.digest,
      deadLetterQueue: this.stateful.deadLetterQueues.digestSchedule,
    });
    this.web = new WebHosting(this, 'Web', {
      config,
      api: this.stateless.api,
      routes: ROUTES,
      source: props.web ?? { kind: 'sources', projectRoot: props.projectRoot },
      signIn: {
        userPool: this.stateful.userPool,
        domain: this.stateful.userPoolDomain,
        client: this.stateful.peopleClient,
      },
    });
    this.stateful.allowSignInAt(this.web.signInUrls);
    const idp = config.identityProvider;
    this.directoryRoles = idp?.roleGroups
      ? new DirectoryRoles(this, 'DirectoryRoles', {
          userPool: this.stateful.userPool,
          roleGroups: idp.roleGroups,
          projectRoot: props.projectRoot,
        })
      : undefined;
    this.stateless.servePublicAt(this.web.baseUrl);

    const { stateful, stateless, web } = this;
    const outputs: Record<string, { value: string; description: string }> = {
      AppUrl: {
        value: `${web.baseUrl}/app/`,
        description: 'The web application; the API answers on the same origin (/grants, /totals, ...)',
      },
      DistributionDomainName: {
        value: web.distribution.distributionDomainName,
        description: 'CloudFront domain name: the CNAME target of a custom domain (context webDomainName)',
      },
      DistributionId: { value: web.distribution.distributionId, description: 'The CloudFront distribution' },
      WebBucketName: { value: web.bucket.bucketName, description: 'Private bucket of the built web app' },
      ApiUrl: {
        value: stateless.api.apiEndpoint,
        description: 'The HTTP API directly (server to server); browsers use the app URL',
      },
      UserPoolId: {
        value: stateful.userPool.userPoolId,
        description: 'Cognito user pool (groups: the roles)',
      },
      PeopleClientId: {
        value: stateful.peopleClient.userPoolClientId,
        description: 'App client for people (code + PKCE)',
      },
      FinanceClientId: {
        value: stateful.financeClient.userPoolClientId,
        description: `App client for finance systems (client credentials, scope ${stateful.totalsReadScope})`,
      },
      AuthDomain: {
        value: stateful.userPoolDomain.baseUrl(),
        description: 'Hosted sign-in and token endpoint',
      },
      EventBusName: { value: stateful.bus.eventBusName, description: 'The custom event bus' },
      EventArchiveName: {
        value: stateful.archive.archiveName,
        description: 'Archive of every event, for replay',
      },
      LedgerTableName: { value: stateful.ledger.table.tableName, description: 'The ledger table' },
      AuditLogGroup: { value: stateful.auditLog.logGroupName, description: 'Every event, for audit' },
    };
    for (const [key, queue] of Object.entries(stateful.deadLetterQueues)) {
      outputs[`DeadLetterQueue${key.charAt(0).toUpperCase()}${key.slice(1)}`] = {
        value: queue.queueUrl,
        description: `Dead-letter queue for ${queue.purpose}`,
      };
    }
    for (const [key, output] of Object.entries(outputs)) new CfnOutput(this, key, output);
  }
}
