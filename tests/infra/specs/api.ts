import { describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../../lib/api/routes';
import { s } from '../support/current';
import { logicalId, type Resource } from '../support/template';

/** The only routes that may be reached without a Cognito token, and why (PRODUCT.md 4). */
const WITHOUT_AUTHORIZER: Readonly<Record<string, string>> = {
  'GET /health': 'anyone',
  'GET /openapi.json': 'anyone',
  'GET /calendar.ics': 'a read-only feed token in the query',
  'GET /digest/unsubscribe': 'the signed token of a weekly digest’s unsubscribe link',
  'POST /digest/unsubscribe': 'the signed token of a weekly digest’s unsubscribe link (RFC 8058 one-click)',
};

const routesByKey = () =>
  new Map(
    s.ofType('AWS::ApiGatewayV2::Route').map(([, route]) => [String(route.Properties.RouteKey), route]),
  );

const authorizerId = () => s.single('AWS::ApiGatewayV2::Authorizer')[0];

describe('HTTP API routes (from lib/api/routes.ts)', () => {
  it('has exactly the routes in ROUTES: no $default, nothing else', () => {
    expect([...routesByKey().keys()].sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  describe.each(ROUTES.map((route) => [routeKey(route), route] as const))('%s', (key, route) => {
    const resource = (): Resource => {
      const found = routesByKey().get(key);
      if (!found) throw new Error(`no route ${key}`);
      return found;
    };

    it(
      route.auth.kind === 'jwt' ? 'requires a Cognito JWT' : 'is reachable without a token, as specified',
      () => {
        const props = resource().Properties ?? {};
        if (route.auth.kind === 'jwt') {
          expect(props.AuthorizationType).toBe('JWT');
          expect(props.AuthorizerId).toEqual({ Ref: authorizerId() });
        } else {
          expect(props.AuthorizationType).toBe('NONE');
          expect(props.AuthorizerId).toBeUndefined();
        }
      },
    );

    it(`is served by ${route.fn}`, () => {
      const target = s.describe(resource().Properties.Target);
      const integration = s.resource(target.replace(/^integrations\//, ''));
      expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
      expect(integration.Properties.IntegrationType).toBe('AWS_PROXY');
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
      expect(s.describe(integration.Properties.IntegrationUri)).toBe(`fn(${route.fn})`);
    });
  });

  it('leaves only /health, /openapi.json, the feed-token calendar and the signed unsubscribe link without the authorizer', () => {
    const open = [...routesByKey()]
      .filter(([, route]) => route.Properties.AuthorizationType !== 'JWT')
      .map(([key]) => key)
      .sort();
    expect(open.every((key) => key in WITHOUT_AUTHORIZER)).toBe(true);
    // ...and ROUTES marks exactly those as public or feed-token.
    expect(
      ROUTES.filter((route) => route.auth.kind !== 'jwt')
        .map(routeKey)
        .every((key) => key in WITHOUT_AUTHORIZER),
    ).toBe(true);
  });
});

describe('Cognito JWT authorizer', () => {
  it('checks tokens of the user pool for both app clients', () => {
    const authorizer = s.resource(authorizerId()).Properties ?? {};
    expect(authorizer.AuthorizerType).toBe('JWT');
    expect(authorizer.IdentitySource).toEqual(['$request.header.Authorization']);
    const jwt = authorizer.JwtConfiguration as { Audience: unknown[]; Issuer: unknown };
    expect(jwt.Audience).toEqual([
      { Ref: logicalId(s.stack.stateful.peopleClient) },
      { Ref: logicalId(s.stack.stateful.financeClient) },
    ]);
    expect(s.describe(jwt.Issuer)).toContain(logicalId(s.stack.stateful.userPool));
  });
});

describe('API stage', () => {
  const stage = () => {
    const [, found] = s.single('AWS::ApiGatewayV2::Stage');
    if (!found) throw new Error('no stage');
    return found.Properties ?? {};
  };

  it('throttles every route', () => {
    const settings = stage().DefaultRouteSettings as Record<string, number>;
    expect(settings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(settings.ThrottlingBurstLimit).toBeGreaterThan(0);
  });

  it('writes JSON access logs to a log group with a retention', () => {
    const { DestinationArn, Format } = stage().AccessLogSettings as {
      DestinationArn: unknown;
      Format: string;
    };
    const destination = s.describe(DestinationArn);
    expect(destination).toBe(logicalId(s.stack.stateless.accessLog));
    expect(s.resource(destination).Properties.RetentionInDays).toBeGreaterThan(0);
    const fields = JSON.parse(Format) as Record<string, string>;
    expect(fields.requestId).toBe('$context.requestId');
    expect(fields.status).toBe('$context.status');
  });

  it('auto-deploys the $default stage', () => {
    expect(stage().StageName).toBe('$default');
    expect(stage().AutoDeploy).toBe(true);
  });
});

describe('CORS', () => {
  it('is off: browsers call the API on the web app’s origin (CloudFront), finance systems server to server', () => {
    const [, api] = s.single('AWS::ApiGatewayV2::Api');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });
});
