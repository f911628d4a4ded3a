import { existsSync } from 'node:fs';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions';
import { apiPathPatterns, CACHE_CONTROL, VIEWER_REQUEST_CODE, WEB_PATHS } from '../../infra/web';
import { ROUTES, routeKey } from '../../lib/api/routes';
import { ENV } from '../../lib/shared/names';
import { logicalId, type SynthesizedStack, synthesize } from './support/template';
import {
  behaviours,
  cloudFrontMatch,
  distributionConfig,
  MANAGED_CACHE_POLICY,
  MANAGED_ORIGIN_REQUEST_POLICY,
  referencedIds,
  runViewerRequest,
} from './support/web';

/**
 * The web application in AWS (infra/web.ts): private bucket behind origin access control, one
 * distribution for the app and the API, the security headers, the cache rules, the app-route
 * function, Cognito's managed login for the web app, and no dev sign-in. Synthesized once.
 */
let s: SynthesizedStack;
beforeAll(() => {
  s = synthesize().synthesized;
});

const web = () => s.stack.web;
const distributionId = () => logicalId(web().distribution);
const siteBucketId = () => logicalId(web().bucket);

describe('the site bucket', () => {
  it('is private: every public access blocked, TLS enforced, encrypted, objects owned by the bucket', () => {
    const bucket = s.resource(siteBucketId()).Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    expect(s.resource(siteBucketId()).DeletionPolicy).toBe('Retain');
    expect(bucket.BucketEncryption).toBeDefined();
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(
      s.describe((bucket.LoggingConfiguration as { DestinationBucketName: unknown }).DestinationBucketName),
    ).toBe(logicalId(web().logBucket));
  });

  it('lets only this distribution read it, through CloudFront’s service principal, and denies plain http', () => {
    const [, policy] =
      s.ofType('AWS::S3::BucketPolicy').find(([, p]) => s.describe(p.Properties.Bucket) === siteBucketId()) ??
      [];
    if (!policy) throw new Error('no policy on the site bucket');
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const allow of allows) {
      expect(allow.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      const condition = allow.Condition as { StringEquals: Record<string, unknown> };
      expect(s.describe(condition.StringEquals['AWS:SourceArn'])).toContain(distributionId());
      for (const action of [allow.Action].flat()) expect(['s3:GetObject', 's3:ListBucket']).toContain(action);
    }
    expect(
      statements.some(
        (st) =>
          st.Effect === 'Deny' &&
          (st.Condition as { Bool?: Record<string, string> } | undefined)?.Bool?.['aws:SecureTransport'] ===
            'false',
      ),
    ).toBe(true);
  });
});

describe('origin access control', () => {
  it('signs every request to the bucket with SigV4 and is the only way the distribution reaches it', () => {
    const [oacId, oac] = s.single('AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const origins = distributionConfig(s).Origins as Record<string, unknown>[];
    const s3Origins = origins.filter((origin) => origin.S3OriginConfig);
    expect(s3Origins).toHaveLength(1);
    expect(s.describe(s3Origins[0]?.OriginAccessControlId)).toBe(`${oacId}.Id`);
    // No legacy origin access identity next to it.
    expect(s3Origins[0]?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(s.ofType('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
  });
});

describe('behaviours', () => {
  const apiOriginId = () => {
    const origins = distributionConfig(s).Origins as Record<string, unknown>[];
    const api = origins.find((origin) => origin.CustomOriginConfig);
    if (!api) throw new Error('no API origin');
    return api;
  };

  it('send the API’s paths to the HTTP API: one pattern per first path segment of ROUTES', () => {
    expect(web().apiPaths).toEqual(apiPathPatterns(ROUTES));
    const toApi = behaviours(s)
      .filter((b) => b.TargetOriginId === apiOriginId().Id)
      .map((b) => b.PathPattern);
    expect(toApi.sort()).toEqual([...web().apiPaths].sort());
    expect(web().apiPaths).toEqual(
      expect.arrayContaining(['/grants', '/grants/*', '/deadlines', '/totals', '/calendar.ics', '/health']),
    );
  });

  it('reach the HTTP API over TLS 1.2 by its execute-api name, without caching, with every viewer header but Host', () => {
    const origin = apiOriginId();
    expect(s.describe(origin.DomainName)).toBe(
      `${logicalId(s.stack.stateless.api)}.execute-api.eu-central-1.{URLSuffix}`,
    );
    expect(origin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    for (const behaviour of behaviours(s).filter((b) => b.TargetOriginId === origin.Id)) {
      expect(behaviour.CachePolicyId, behaviour.PathPattern).toBe(MANAGED_CACHE_POLICY.cachingDisabled);
      expect(behaviour.OriginRequestPolicyId, behaviour.PathPattern).toBe(
        MANAGED_ORIGIN_REQUEST_POLICY.allViewerExceptHostHeader,
      );
      expect(behaviour.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
      expect(behaviour.ViewerProtocolPolicy).toBe('https-only');
    }
  });

  it.each(ROUTES.map((route) => [routeKey(route), route.path] as const))(
    '%s reaches the API through CloudFront',
    (_key, path) => {
      const concrete = path.replace(/\{[^}]+\}/g, '01JABCDEF0123456789ABCDEFG');
      expect(cloudFrontMatch(s, concrete).TargetOriginId).toBe(apiOriginId().Id);
    },
  );

  it.each([
    '/',
    '/app/',
    '/app/grants',
    '/app/grants/01JABCDEF0123456789ABCDEFG',
    '/app/deadlines',
    '/app/sign-in',
    '/docs',
    '/config.json',
    '/index.html',
    '/dev/login',
  ])('%s is the web app’s (the bucket), not the API’s', (path) => {
    const behaviour = cloudFrontMatch(s, path);
    expect(behaviour.PathPattern).toBeUndefined();
    expect(behaviour.TargetOriginId).not.toBe(apiOriginId().Id);
  });

  it('refuse an API route whose first segment the web app owns, or that starts with a parameter', () => {
    for (const path of ['/app/grants', '/assets/x', '/docs', '/config.json', '/dev/login'])
      expect(() => apiPathPatterns([{ method: 'GET', path }])).toThrow(/collide/);
    expect(() => apiPathPatterns([{ method: 'GET', path: '/{grantId}' }])).toThrow(/no fixed path segment/);
  });
});

describe('cache rules', () => {
  it('keep hashed assets a year at the edge, compressed, keyed by nothing but the path', () => {
    const assets = behaviours(s).find((b) => b.PathPattern === `${WEB_PATHS.assets}*`);
    if (!assets) throw new Error('no behaviour for /assets/*');
    expect(s.describe(assets.CachePolicyId)).toBe(logicalId(web().hashedAssetsCache));
    expect(assets.Compress).toBe(true);
    const policy = s.resource(logicalId(web().hashedAssetsCache)).Properties.CachePolicyConfig as Record<
      string,
      unknown
    >;
    expect(policy.DefaultTTL).toBe(365 * 24 * 3600);
    expect(policy.MaxTTL).toBe(365 * 24 * 3600);
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      CookiesConfig: { CookieBehavior: 'none' },
      HeadersConfig: { HeaderBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
      EnableAcceptEncodingGzip: true,
      EnableAcceptEncodingBrotli: true,
    });
  });

  it('answer the bare origin with the app, never with a listing of the bucket', () => {
    expect(distributionConfig(s).DefaultRootObject).toBe('index.html');
  });

  it('leave CDK nothing to warn about in the web hosting', () => {
    const warnings = Annotations.fromStack(s.stack)
      .findWarning('*', Match.anyValue())
      .filter((warning) => warning.id.includes('/Web/'));
    expect(warnings.map((w) => `${w.id}: ${JSON.stringify(w.entry.data)}`)).toEqual([]);
  });

  it('never keep index.html, config.json or the API reference at the edge', () => {
    const defaults = distributionConfig(s).DefaultCacheBehavior as Record<string, unknown>;
    expect(defaults.CachePolicyId).toBe(MANAGED_CACHE_POLICY.cachingDisabled);
    expect(defaults.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  const deployments = () => {
    const all = s.ofType('Custom::CDKBucketDeployment');
    const find = (name: string) => {
      const found = all.find(([id]) => id.includes(name));
      if (!found) throw new Error(`no deployment ${name}`);
      return found[1].Properties;
    };
    return { hashedAssets: find('DeployHashedAssets'), pages: find('DeployPages') };
  };

  it('upload hashed assets as immutable for a year and never prune them (an open tab keeps loading its chunks)', () => {
    const { hashedAssets } = deployments();
    expect(hashedAssets.Include).toEqual(['assets/*']);
    expect(hashedAssets.Exclude).toEqual(['*']);
    expect(hashedAssets.Prune).toBe(false);
    expect(hashedAssets.SystemMetadata).toEqual({ 'cache-control': CACHE_CONTROL.hashedAssets });
    expect(CACHE_CONTROL.hashedAssets).toBe('public, max-age=31536000, immutable');
  });

  it('upload every other file (index.html, docs, config.json) as never cached, after the assets', () => {
    const { pages } = deployments();
    expect(pages.Exclude).toEqual(expect.arrayContaining(['assets/*', '.vite/*']));
    expect(pages.Include).toBeUndefined();
    expect(pages.Prune).toBe(true);
    expect(pages.SystemMetadata).toEqual({ 'cache-control': 'no-store' });
    // The build and the generated config.json.
    expect(pages.SourceObjectKeys as unknown[]).toHaveLength(2);
    const [pagesId] =
      s.ofType('Custom::CDKBucketDeployment').find(([id]) => id.includes('DeployPages')) ?? [];
    const [assetsId] =
      s.ofType('Custom::CDKBucketDeployment').find(([id]) => id.includes('DeployHashedAssets')) ?? [];
    expect([s.resource(pagesId ?? '').DependsOn].flat()).toContain(assetsId);
  });
});

describe('security headers', () => {
  const policy = () => {
    const [id, resource] = s.single('AWS::CloudFront::ResponseHeadersPolicy');
    return { id, config: resource.Properties.ResponseHeadersPolicyConfig as Record<string, unknown> };
  };
  const security = () =>
    policy().config.SecurityHeadersConfig as Record<string, Record<string, unknown> | undefined>;

  it('has a CSP without inline or evaluated script that forbids framing, and lets the app reach Cognito only', () => {
    const csp = s.describe(security().ContentSecurityPolicy?.ContentSecurityPolicy);
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(directives.get('connect-src')).toEqual([
      "'self'",
      'https://cognito-idp.eu-central-1.amazonaws.com',
      expect.stringContaining(`.auth.eu-central-1.amazoncognito.com`),
    ]);
    expect(directives.has('upgrade-insecure-requests')).toBe(true);
    expect(security().ContentSecurityPolicy?.Override).toBe(true);
  });

  it('sends HSTS for two years, nosniff, a referrer policy and DENY framing, overriding any origin value', () => {
    expect(security().StrictTransportSecurity).toEqual({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(security().ContentTypeOptions).toEqual({ Override: true });
    expect(security().ReferrerPolicy).toEqual({
      ReferrerPolicy: 'strict-origin-when-cross-origin',
      Override: true,
    });
    expect(security().FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
  });

  it('applies to every behaviour: the app, its assets and the API', () => {
    const all = [distributionConfig(s).DefaultCacheBehavior as Record<string, unknown>, ...behaviours(s)];
    expect(all.length).toBe(web().apiPaths.length + 2);
    for (const behaviour of all) {
      expect(s.describe(behaviour.ResponseHeadersPolicyId), String(behaviour.PathPattern ?? 'default')).toBe(
        policy().id,
      );
    }
  });
});

describe('the app-route function', () => {
  /** The code as deployed: what the template holds, not the constant it came from. */
  const viewerCode = () => String(s.single('AWS::CloudFront::Function')[1].Properties.FunctionCode);

  it('runs on viewer requests of the default behaviour only, published, on the 2.0 runtime', () => {
    const [fnId, fn] = s.single('AWS::CloudFront::Function');
    expect(fn.Properties.FunctionCode).toBe(VIEWER_REQUEST_CODE);
    expect(fn.Properties.AutoPublish).toBe(true);
    expect((fn.Properties.FunctionConfig as Record<string, unknown>).Runtime).toBe('cloudfront-js-2.0');
    const defaults = distributionConfig(s).DefaultCacheBehavior as Record<string, unknown>;
    const associations = defaults.FunctionAssociations as { EventType: string; FunctionARN: unknown }[];
    expect(associations).toHaveLength(1);
    expect(associations[0]?.EventType).toBe('viewer-request');
    expect(s.describe(associations[0]?.FunctionARN)).toBe(`${fnId}.FunctionARN`);
    for (const behaviour of behaviours(s)) expect(behaviour.FunctionAssociations).toBeUndefined();
  });

  it.each([
    ['/app', '/index.html'],
    ['/app/', '/index.html'],
    ['/app/grants', '/index.html'],
    ['/app/grants/01JABCDEF0123456789ABCDEFG', '/index.html'],
    ['/app/sign-in', '/index.html'],
    ['/docs', '/docs/index.html'],
    ['/docs/', '/docs/index.html'],
    ['/assets/app-3f9a1c2b.js', '/assets/app-3f9a1c2b.js'],
    ['/config.json', '/config.json'],
    ['/favicon.svg', '/favicon.svg'],
    // Nothing in AWS answers the dev sign-in: the bucket holds no such object.
    ['/dev/login', '/dev/login'],
    ['/application', '/application'],
  ])('answers %s with the object %s', (uri, expected) => {
    const result = runViewerRequest(viewerCode(), uri);
    expect(result).toMatchObject({ uri: expected });
  });

  it('redirects / to the app', () => {
    expect(runViewerRequest(viewerCode(), '/')).toEqual({
      statusCode: 302,
      statusDescription: 'Found',
      headers: { location: { value: '/app/' }, 'cache-control': { value: 'no-store' } },
    });
  });
});

describe('sign-in in AWS', () => {
  it('uses Cognito’s managed login on the user pool domain, styled for the people client', () => {
    const [, domain] = s.single('AWS::Cognito::UserPoolDomain');
    expect(domain.Properties.ManagedLoginVersion).toBe(2);
    const [, branding] = s.single('AWS::Cognito::ManagedLoginBranding');
    expect(s.describe(branding.Properties.ClientId)).toBe(logicalId(s.stack.stateful.peopleClient));
    expect(branding.Properties.UseCognitoProvidedValues).toBe(true);
  });

  it('has a people client for authorization code + PKCE with no secret, sending people back to the app’s sign-in page', () => {
    const people = s.resource(logicalId(s.stack.stateful.peopleClient)).Properties;
    expect(people.GenerateSecret).toBe(false);
    expect(people.AllowedOAuthFlows).toEqual(['code']);
    expect(people.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email']));
    const signIn = `https://${distributionId()}.DomainName/app/sign-in`;
    expect((people.CallbackURLs as unknown[]).map((url) => s.describe(url))).toEqual([signIn]);
    expect((people.LogoutURLs as unknown[]).map((url) => s.describe(url))).toEqual([signIn]);
    expect(people.SupportedIdentityProviders).toEqual(['COGNITO']);
    // Without federation: no trigger, no directory attribute.
    const [, pool] = s.single('AWS::Cognito::UserPool');
    expect(pool.Properties.LambdaConfig).toBeUndefined();
    expect(s.stack.directoryRoles).toBeUndefined();
    expect(s.ofType('AWS::Cognito::UserPoolIdentityProvider')).toEqual([]);
  });

  it('writes config.json for Cognito sign-in, never the dev sign-in', () => {
    const config = s.stack.resolve(web().runtimeConfig) as Record<string, unknown>;
    const text = s.describe(config.apiBaseUrl);
    expect(text).toBe(`https://${distributionId()}.DomainName`);
    const signIn = config.signIn as Record<string, unknown>;
    expect(signIn.mode).toBe('cognito');
    expect(s.describe(signIn.clientId)).toBe(logicalId(s.stack.stateful.peopleClient));
    // The user pool's issuer, https://cognito-idp.<region>.amazonaws.com/<pool id>.
    expect(s.describe(signIn.authority)).toBe(`${logicalId(s.stack.stateful.userPool)}.ProviderURL`);
    expect(s.describe(signIn.domain)).toMatch(/^https:\/\/.*\.auth\.eu-central-1\.amazoncognito\.com$/);
    expect(s.describe(signIn.redirectUri)).toBe(`https://${distributionId()}.DomainName/app/sign-in`);
    expect(s.describe(signIn.logoutUri)).toBe(`https://${distributionId()}.DomainName/app/sign-in`);
    expect(config.defaultLanguage).toBe('da');
  });

  it('ships the dev sign-in in no function: no bundle holds local mode’s code or its /dev/login', async () => {
    const bundled = Object.entries(FUNCTIONS).filter(([, spec]) => existsSync(spec.entry));
    expect(bundled.length).toBeGreaterThan(0);
    for (const [name, spec] of bundled) {
      // The same esbuild CDK bundles with, on the same entry, the AWS SDK left out as in infra/function.ts.
      const result = await build({
        entryPoints: [spec.entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        external: ['@aws-sdk/*'],
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(
        inputs.filter((input) => input.startsWith('lib/local/')),
        name,
      ).toEqual([]);
      const code = result.outputFiles.map((file) => file.text).join('\n');
      expect(code.includes('/dev/login'), name).toBe(false);
    }
  });

  it('has no dev sign-in: no API route or CloudFront behaviour under /dev', () => {
    expect(ROUTES.filter((route) => route.path.startsWith('/dev'))).toEqual([]);
    expect(behaviours(s).filter((b) => String(b.PathPattern).startsWith('/dev'))).toEqual([]);
    const routeKeys = s.ofType('AWS::ApiGatewayV2::Route').map(([, r]) => String(r.Properties.RouteKey));
    expect(routeKeys.filter((key) => key.includes('/dev'))).toEqual([]);
  });
});

describe('the functions', () => {
  it('get PUBLIC_BASE_URL: the distribution’s https origin', () => {
    const functions = Object.values(s.stack.stateless.functions);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const env = (s.resource(logicalId(fn)).Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(s.describe(env[ENV.publicBaseUrl]), fn.node.id).toBe(`https://${distributionId()}.DomainName`);
    }
  });

  it('need no cycle: the distribution refers to the HTTP API resource and its own parts only', () => {
    const refs = referencedIds(s.resource(distributionId()));
    const allowed = new Set([
      logicalId(s.stack.stateless.api),
      siteBucketId(),
      logicalId(web().logBucket),
      logicalId(web().hashedAssetsCache),
      logicalId(web().headers),
      logicalId(web().viewerRequest),
      s.single('AWS::CloudFront::OriginAccessControl')[0],
    ]);
    expect([...refs].filter((id) => !allowed.has(id))).toEqual([]);
    expect(refs.has(logicalId(s.stack.stateless.api))).toBe(true);
  });
});

describe('outputs', () => {
  it('print the app’s URL and the CNAME target', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(s.describe(outputs.AppUrl?.Value)).toBe(`https://${distributionId()}.DomainName/app/`);
    expect(s.describe(outputs.DistributionDomainName?.Value)).toBe(`${distributionId()}.DomainName`);
  });
});
