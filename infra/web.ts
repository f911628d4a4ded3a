import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  Annotations,
  AssetHashType,
  BundlingOutput,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import type { RouteDef } from '../lib/api/routes';
import { contentSecurityPolicy, SECURITY_HEADERS } from '../lib/shared/security-headers';
import type { DeploymentConfig } from './config';
import { acknowledgeOn } from './nag';

/**
 * The web application in AWS: its built files in a private S3 bucket that only CloudFront may read
 * (origin access control), behind one distribution that also forwards the API's paths to the HTTP
 * API, so the browser talks to one origin: no CORS, one CSP. The app's routes live under /app/, the
 * API keeps its documented paths at the root, and the two can never collide (apiPathPatterns).
 */

/** Where the app's pages live on the origin (PRODUCT.md 7; the local server serves the same paths). */
export const WEB_PATHS = {
  app: '/app/',
  /** The sign-in page, which is also where Cognito's managed login sends people back to. */
  signIn: '/app/sign-in',
  docs: '/docs',
  config: '/config.json',
  assets: '/assets/',
} as const;

/** First path segments the web app owns; an API route there would shadow a page or be shadowed. */
const WEB_SEGMENTS: Readonly<Record<string, string>> = {
  app: 'the application’s routes',
  assets: 'the built, hashed files',
  docs: 'the API reference',
  'config.json': 'the runtime configuration',
  'index.html': 'the application’s page',
  // Local mode's dev sign-in (/dev/login) must never have a counterpart in AWS.
  dev: 'local mode’s dev sign-in, which does not exist in AWS',
};

/** CloudFront's quota of cache behaviours per distribution; one more is the hashed assets'. */
const MAX_BEHAVIOURS = 25;

/**
 * The CloudFront path patterns that go to the HTTP API: one per first path segment of ROUTES
 * (`/grants` and `/grants/*`, `/calendar/*`, `/calendar.ics`, ...). A new route is forwarded without
 * touching this file; one whose first segment belongs to the web app fails the synth.
 */
export const apiPathPatterns = (routes: readonly Pick<RouteDef, 'method' | 'path'>[]): string[] => {
  const patterns = new Set<string>();
  for (const route of routes) {
    const [first, ...rest] = route.path.split('/').filter(Boolean);
    if (!first || first.startsWith('{')) {
      throw new Error(
        `The API route ${route.method} ${route.path} starts with no fixed path segment, so CloudFront cannot tell it from the web app's paths.`,
      );
    }
    const owner = WEB_SEGMENTS[first];
    if (owner) {
      throw new Error(
        `The API route ${route.method} ${route.path} would collide with /${first}, ${owner}; give it another first path segment.`,
      );
    }
    patterns.add(rest.length === 0 ? `/${first}` : `/${first}/*`);
  }
  return [...patterns].sort();
};

/**
 * CloudFront Function (cloudfront-js-2.0) on the default (S3) behaviour: `/` goes to the app, every
 * app route is answered with index.html (the router in the browser takes over) and `/docs` with the
 * API reference's page. Anything else is looked up in the bucket as it is, so `/dev/login` finds nothing.
 */
export const VIEWER_REQUEST_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/index.html') {
    return {
      statusCode: 302,
      statusDescription: 'Found',
      headers: { location: { value: '${WEB_PATHS.app}' }, 'cache-control': { value: 'no-store' } },
    };
  }
  if (uri === '/app' || uri.indexOf('/app/') === 0) {
    request.uri = '/index.html';
  } else if (uri === '/docs' || uri === '/docs/') {
    request.uri = '/docs/index.html';
  }
  return request;
}
`;

/** What the built app's files are cached for: hashed names change with their content, the rest never is. */
export const CACHE_CONTROL = {
  hashedAssets: 'public, max-age=31536000, immutable',
  pages: 'no-store',
} as const;

/** Where the built app comes from. */
export type WebAppSource =
  /** A directory already holding the build: index.html, assets/, docs/index.html. */
  | { readonly kind: 'built'; readonly dir: string }
  /** The sources in `<projectRoot>/web`: the Vite build runs during synth whenever they changed. */
  | { readonly kind: 'sources'; readonly projectRoot: string };

export interface WebSignIn {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  readonly client: cognito.IUserPoolClient;
}

export interface WebHostingProps {
  readonly config: DeploymentConfig;
  /** The HTTP API behind the API paths; the distribution depends on this resource only. */
  readonly api: apigwv2.IHttpApi;
  /** The API's routes (ROUTES), from which the forwarded paths are derived. */
  readonly routes: readonly Pick<RouteDef, 'method' | 'path'>[];
  readonly source: WebAppSource;
  readonly signIn: WebSignIn;
}

/** `/config.json` as the stack writes it: what one build needs to know about the stage it runs in. */
export interface RuntimeConfig {
  readonly apiBaseUrl: string;
  readonly signIn: {
    readonly mode: 'cognito';
    /** The OIDC issuer (the user pool); oidc-client-ts reads its discovery document. */
    readonly authority: string;
    /** The managed login domain, whose /logout ends the Cognito session. */
    readonly domain: string;
    readonly clientId: string;
    readonly redirectUri: string;
    readonly logoutUri: string;
  };
  readonly defaultLanguage: 'da';
}

/** Enough to unzip and copy a build of a few megabytes quickly. */
const DEPLOYMENT_MEMORY_MB = 512;

/** Files of the build that are not served: Vite's manifest is for tests that weigh the first page. */
const NOT_SERVED = ['.vite/*'];

export class WebHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  readonly viewerRequest: cloudfront.Function;
  readonly hashedAssetsCache: cloudfront.CachePolicy;
  /** `https://<custom domain or the distribution's domain name>`: the app, and the API on the same origin. */
  readonly baseUrl: string;
  readonly runtimeConfig: RuntimeConfig;
  /** Where Cognito may send people after signing in and out. */
  readonly signInUrls: { readonly callbackUrls: readonly string[]; readonly logoutUrls: readonly string[] };
  readonly apiPaths: readonly string[];
  /** BucketDeployment's copying function (a stack-level singleton) and its role. */
  readonly deploymentFunction: lambda.Function;
  readonly deploymentRole: iam.Role;
  readonly deployments: {
    readonly hashedAssets: s3deploy.BucketDeployment;
    readonly pages: s3deploy.BucketDeployment;
  };

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    // ---- Buckets: the site (private, only CloudFront reads it) and the access logs of both ----
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL, which BucketOwnerEnforced would refuse.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeOn(this.logBucket, {
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the access logs of the web bucket and of the CloudFront distribution; logging its own access would need a further bucket, and so on without end.',
    });
    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/site/',
      // Kept when the stack is deleted, like the log bucket: CloudFormation cannot delete a bucket
      // with files in it, and a failed delete would leave the stack half gone. Empty and delete it
      // by hand; nothing in it is lost, the next deploy writes it all again.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- Headers: one CSP without inline script for the app, the API reference and the API ----
    const cognitoDomain = props.signIn.domain.baseUrl();
    const issuer = props.signIn.userPool.userPoolProviderUrl;
    const hsts = SECURITY_HEADERS.strictTransportSecurity;
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Funding tracker: CSP without inline script, HSTS, nosniff, referrer policy, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy({
            // oidc-client-ts reads the issuer's discovery document and redeems codes and refresh
            // tokens at the managed login domain; nothing else leaves the origin.
            connectSources: [cognitoOrigin(stack.region), cognitoDomain],
            upgradeInsecureRequests: true,
          }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(hsts.maxAgeSeconds),
          includeSubdomains: hsts.includeSubDomains,
          override: true,
        },
        contentTypeOptions: { override: true },
        // CloudFront's enums spell the header values themselves: the shared module's values cast to them.
        referrerPolicy: {
          referrerPolicy: SECURITY_HEADERS.referrerPolicy as cloudfront.HeadersReferrerPolicy,
          override: true,
        },
        frameOptions: {
          frameOption: SECURITY_HEADERS.frameOptions as cloudfront.HeadersFrameOption,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: Object.entries(SECURITY_HEADERS.custom).map(([header, value]) => ({
          header,
          value,
          override: true,
        })),
      },
    });

    // ---- Behaviours: the bucket by default, hashed assets cached for a year, the API uncached ----
    this.viewerRequest = new cloudfront.Function(this, 'AppRoutes', {
      comment: 'Answers /app/... with index.html and /docs with the API reference; / goes to /app/',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(VIEWER_REQUEST_CODE),
    });
    this.hashedAssetsCache = new cloudfront.CachePolicy(this, 'HashedAssetsCache', {
      comment: 'Files with a content hash in their name: a year at the edge and in browsers',
      defaultTtl: Duration.days(365),
      minTtl: Duration.days(1),
      maxTtl: Duration.days(365),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    });
    const apiOrigin = new origins.HttpOrigin(
      `${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        // A Lambda answers within its timeout; API Gateway's own limit is 30 s.
        readTimeout: Duration.seconds(30),
      },
    );
    const apiBehaviour: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Never cached: answers depend on the caller's token. With caching disabled, the origin
      // request policy may forward Authorization; Host must stay API Gateway's own.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.headers,
    };
    this.apiPaths = apiPathPatterns(props.routes);
    if (this.apiPaths.length + 1 > MAX_BEHAVIOURS) {
      throw new Error(
        `The API needs ${this.apiPaths.length} CloudFront behaviours and the hashed assets one more, beyond CloudFront's ${MAX_BEHAVIOURS}.`,
      );
    }
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {
      [`${WEB_PATHS.assets}*`]: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: this.hashedAssetsCache,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
    };
    for (const pattern of this.apiPaths) additionalBehaviors[pattern] = apiBehaviour;

    const domain = config.webDomain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Funding tracker ${config.stage}: the web application and its API on one origin`,
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // index.html, config.json and the API reference's page: never kept at the edge.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [
          { function: this.viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors,
      domainNames: domain ? [domain.domainName] : undefined,
      certificate: domain
        ? acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn)
        : undefined,
      // Only a custom certificate takes a TLS floor; CloudFront's own fixes its (CFR4, below).
      minimumProtocolVersion: domain ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      // The function answers / before the bucket is asked; should it ever not, the bucket (which
      // CloudFront may list, for real 404s) answers with the app rather than a listing of its files.
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      webAclId: config.webAclArn,
    });
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject is index.html and the app-route function answers / itself, so no request lists the bucket; LIST lets S3 answer a missing file with 404 instead of 403.',
    );
    if (!domain) {
      acknowledgeOn(this.distribution, {
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain (context webDomainName) the distribution serves the *.cloudfront.net certificate, whose minimum TLS version CloudFront fixes; with one, the viewer policy is TLSv1.2_2021.',
      });
    }
    if (!config.webAclArn) {
      acknowledgeOn(this.distribution, {
        id: 'AwsSolutions-CFR2',
        reason:
          'A WAF web ACL for CloudFront lives in us-east-1 and is usually the municipality’s central one: pass its ARN as context webAclArn. Meanwhile API Gateway throttles every route and Cognito’s threat protection guards sign-in.',
      });
    }
    acknowledgeOn(this.distribution, {
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: project leads sign in from partner meetings across Europe and beyond, and every page and API call requires a Cognito sign-in anyway.',
    });

    this.baseUrl = `https://${domain?.domainName ?? this.distribution.distributionDomainName}`;
    const signInUrl = `${this.baseUrl}${WEB_PATHS.signIn}`;
    this.signInUrls = { callbackUrls: [signInUrl], logoutUrls: [signInUrl] };
    this.runtimeConfig = {
      apiBaseUrl: this.baseUrl,
      signIn: {
        mode: 'cognito',
        authority: issuer,
        domain: cognitoDomain,
        clientId: props.signIn.client.userPoolClientId,
        redirectUri: signInUrl,
        logoutUri: signInUrl,
      },
      defaultLanguage: 'da',
    };

    // ---- The build and config.json into the bucket ----
    const files = appFiles(this, props.source);
    const deploymentLogs = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The copying function's own role: no AWS managed policy, only its log group and the grants
    // BucketDeployment adds (read the build asset, write the site bucket).
    const deploymentRole = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the built web app into its bucket during deploys',
    });
    deploymentLogs.grantWrite(deploymentRole);
    const build = s3deploy.Source.bucket(files.bucket, files.s3ObjectKey);
    const deployment = {
      destinationBucket: this.bucket,
      memoryLimit: DEPLOYMENT_MEMORY_MB,
      logGroup: deploymentLogs,
      role: deploymentRole,
    } as const;
    // Hashed files first and never pruned: a tab still open on the previous release keeps loading its chunks.
    const hashedAssets = new s3deploy.BucketDeployment(this, 'DeployHashedAssets', {
      ...deployment,
      sources: [build],
      exclude: ['*'],
      include: [`${WEB_PATHS.assets.slice(1)}*`],
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(CACHE_CONTROL.hashedAssets)],
    });
    const pages = new s3deploy.BucketDeployment(this, 'DeployPages', {
      ...deployment,
      sources: [build, s3deploy.Source.jsonData(WEB_PATHS.config.slice(1), this.runtimeConfig)],
      exclude: [`${WEB_PATHS.assets.slice(1)}*`, ...NOT_SERVED],
      prune: true,
      cacheControl: [s3deploy.CacheControl.fromString(CACHE_CONTROL.pages)],
    });
    // index.html names the new chunks only once they are there.
    pages.node.addDependency(hashedAssets);
    this.deployments = { hashedAssets, pages };
    this.deploymentRole = deploymentRole;
    const handler = stack.node.children.find(
      (child): child is lambda.Function =>
        child instanceof lambda.Function && child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) throw new Error('BucketDeployment made no function to copy the web app with.');
    this.deploymentFunction = handler;
    acknowledgeDeploymentFindings(this, handler, deploymentRole);
  }
}

/**
 * BucketDeployment's function is CDK's own (a Python handler with the AWS CLI layer) and its grants are
 * CDK's grantRead / grantReadWrite: acknowledged here, each with its reason. Any other wildcard stays a
 * finding.
 */
const acknowledgeDeploymentFindings = (scope: Construct, handler: lambda.Function, role: iam.Role): void => {
  const stack = Stack.of(scope);
  const runtimeReason =
    'CDK’s BucketDeployment handler, whose runtime CDK chooses and updates with aws-cdk-lib; it runs only while CloudFormation deploys the web app.';
  acknowledgeOn(
    handler,
    { id: 'AwsSolutions-L1', reason: runtimeReason },
    { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
    {
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by CloudFormation as a custom resource: a failed copy fails (and rolls back) the deploy, so there is no event to park in a queue.',
    },
    {
      id: 'Serverless-LambdaTracing',
      reason:
        'A copy step of deploys, invoked by CloudFormation only; its log group keeps what it did, and no request of a user ever passes through it.',
    },
  );
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  if (!(policy instanceof iam.CfnPolicy)) throw new Error('The deployment role has no policy.');
  const document = stack.resolve(policy.policyDocument) as {
    Statement: { Effect: string; Action: string | string[]; Resource: unknown }[];
  };
  const findings = new Set<string>();
  for (const statement of document.Statement) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of [statement.Action].flat())
      if (action.includes('*')) findings.add(`Action::${action}`);
    for (const resource of [statement.Resource].flat()) {
      const flat = flattenCfnReference(resource);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  const acknowledgements = [...findings].flatMap((finding) => {
    const reason = finding.startsWith('Action::s3:')
      ? `${finding.slice(8)} comes from CDK’s grantRead (the build asset) and grantReadWrite (the site bucket), limited to those two buckets; the copy lists, reads, writes and prunes objects by name it cannot know in advance.`
      : finding.endsWith('/*')
        ? `${finding.slice(10)} is every object of one bucket (the build asset or the site): the files of a build are named by their content hashes, unknown before the build.`
        : undefined;
    return reason ? [{ id: `AwsSolutions-IAM5[${finding}]`, reason }] : [];
  });
  if (acknowledgements.length > 0) acknowledgeOn(policy, ...acknowledgements);
};

/** The Cognito identity provider endpoint of a region (the issuer's origin). */
const cognitoOrigin = (region: string): string => `https://cognito-idp.${region}.amazonaws.com`;

/** The files of the build, as one asset both deployments copy from. */
const appFiles = (scope: Construct, source: WebAppSource): s3assets.Asset => {
  if (source.kind === 'built') {
    for (const page of ['index.html', 'docs/index.html']) {
      if (!existsSync(join(source.dir, page))) {
        throw new Error(
          `${source.dir} holds no ${page}: it is not a build of the web app (npm run web:build).`,
        );
      }
    }
    return new s3assets.Asset(scope, 'AppFiles', { path: source.dir });
  }
  const { projectRoot } = source;
  const webDir = join(projectRoot, 'web');
  if (!existsSync(join(webDir, 'vite.config.ts'))) {
    throw new Error(`${webDir} holds no vite.config.ts: the web app's sources are missing.`);
  }
  return new s3assets.Asset(scope, 'AppFiles', {
    path: webDir,
    // The build is redone only when something it is built from changed.
    assetHashType: AssetHashType.CUSTOM,
    assetHash: hashOfSources(projectRoot),
    bundling: {
      // Never used: the local build either succeeds or fails the synth with its own message.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      outputType: BundlingOutput.NOT_ARCHIVED,
      local: {
        tryBundle(outputDir: string): boolean {
          try {
            execFileSync(
              'npx',
              ['vite', 'build', '--config', 'web/vite.config.ts', '--outDir', outputDir, '--emptyOutDir'],
              { cwd: projectRoot, stdio: ['ignore', process.stderr, process.stderr] },
            );
          } catch (error) {
            throw new Error(
              `The web app's build failed (npx vite build --config web/vite.config.ts), so there is nothing to deploy: ${(error as Error).message}`,
            );
          }
          if (!existsSync(join(outputDir, 'index.html'))) {
            throw new Error(`The web app's build wrote no index.html into ${outputDir}.`);
          }
          return true;
        },
      },
    },
  });
};

/** What the web build reads: its sources, the shared lib/ (generated API client, formats) and the lock file. */
const BUILD_INPUTS = ['web', 'lib', 'package-lock.json'];
const NOT_INPUTS = new Set(['dist', 'node_modules', 'screenshots', '.vite']);

const hashOfSources = (projectRoot: string): string => {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (NOT_INPUTS.has(entry.name)) continue;
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile())
        hash.update(relative(projectRoot, full)).update('\0').update(readFileSync(full));
    }
  };
  for (const input of BUILD_INPUTS) {
    const full = join(projectRoot, input);
    if (!existsSync(full)) continue;
    if (input.includes('.')) hash.update(input).update('\0').update(readFileSync(full));
    else visit(full);
  }
  return hash.digest('hex');
};
