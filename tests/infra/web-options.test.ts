import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../infra/config';
import { Stateful } from '../../infra/stateful';
import { ENV } from '../../lib/shared/names';
import { CDK_CONTEXT } from './support/app';
import { logicalId, type SynthesizedStack, synthesize } from './support/template';
import { distributionConfig } from './support/web';

/**
 * The web hosting with every option the context offers: the municipality's own domain with its
 * us-east-1 certificate, a WAF web ACL and federation to an OIDC identity provider (one synth);
 * SAML federation on the user pool alone.
 */
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a';
const WEB_ACL =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/kk-edge/5c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const CLIENT_SECRET = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:kk-entra-AbCdEf';

const config = parseConfig({
  ...CDK_CONTEXT,
  stage: 'prod',
  webDomainName: 'tilskud.kk.dk',
  webCertificateArn: CERTIFICATE,
  webAclArn: WEB_ACL,
  identityProvider: JSON.stringify({
    type: 'oidc',
    name: 'KK-EntraID',
    issuerUrl: 'https://login.microsoftonline.com/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a/v2.0',
    clientId: '7f6e5d4c-3b2a-1098-7654-3210fedcba98',
    clientSecretArn: CLIENT_SECRET,
    clientSecretField: 'clientSecret',
    groupsClaim: 'groups',
    roleGroups: { 'lear-admin': ['6f1c-lear'], 'project-lead': ['8a2d-projektledere'] },
  }),
});

let s: SynthesizedStack;
let app: App;
beforeAll(() => {
  ({ app, synthesized: s } = synthesize({ config }));
});

describe('a custom domain', () => {
  it('is the distribution’s alias, with the us-east-1 certificate over SNI and TLS 1.2 at least', () => {
    const distribution = distributionConfig(s);
    expect(distribution.Aliases).toEqual(['tilskud.kk.dk']);
    expect(distribution.ViewerCertificate).toEqual({
      AcmCertificateArn: CERTIFICATE,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });

  it('is where links, the app URL, config.json and sign-in point', () => {
    for (const fn of Object.values(s.stack.stateless.functions)) {
      const env = (s.resource(logicalId(fn)).Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env[ENV.publicBaseUrl]).toBe('https://tilskud.kk.dk');
    }
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AppUrl?.Value).toBe('https://tilskud.kk.dk/app/');
    const people = s.resource(logicalId(s.stack.stateful.peopleClient)).Properties;
    expect(people.CallbackURLs).toEqual(['https://tilskud.kk.dk/app/sign-in']);
    expect(people.LogoutURLs).toEqual(['https://tilskud.kk.dk/app/sign-in']);
    const runtime = s.stack.resolve(s.stack.web.runtimeConfig) as {
      apiBaseUrl: string;
      signIn: { redirectUri: string };
    };
    expect(runtime.apiBaseUrl).toBe('https://tilskud.kk.dk');
    expect(runtime.signIn.redirectUri).toBe('https://tilskud.kk.dk/app/sign-in');
  });
});

describe('a WAF web ACL', () => {
  it('guards the distribution', () => {
    expect(distributionConfig(s).WebACLId).toBe(WEB_ACL);
  });
});

describe('OIDC federation', () => {
  it('adds the provider with its issuer, the client secret as a Secrets Manager reference, and the e-mail claim', () => {
    const [id, provider] = s.single('AWS::Cognito::UserPoolIdentityProvider');
    expect(provider.Properties.ProviderName).toBe('KK-EntraID');
    expect(provider.Properties.ProviderType).toBe('OIDC');
    const details = provider.Properties.ProviderDetails as Record<string, unknown>;
    expect(details.oidc_issuer).toBe(
      'https://login.microsoftonline.com/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a/v2.0',
    );
    expect(details.client_id).toBe('7f6e5d4c-3b2a-1098-7654-3210fedcba98');
    expect(details.authorize_scopes).toBe('openid email profile');
    // Resolved by CloudFormation at deploy time: the template holds no secret.
    expect(details.client_secret).toBe(
      `{{resolve:secretsmanager:${CLIENT_SECRET}:SecretString:clientSecret::}}`,
    );
    expect(provider.Properties.AttributeMapping).toEqual({
      email: 'email',
      'custom:directory_groups': 'groups',
    });
    const people = s.resource(logicalId(s.stack.stateful.peopleClient));
    // By reference: the client is created after the provider it offers.
    expect((people.Properties.SupportedIdentityProviders as unknown[]).map((p) => s.describe(p))).toEqual([
      'COGNITO',
      id,
    ]);
  });

  it('gives roles from directory groups: the groups claim in a user attribute, a V2 pre token generation trigger', () => {
    const [, pool] = s.single('AWS::Cognito::UserPool');
    expect(pool.Properties.Schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: 'directory_groups', AttributeDataType: 'String', Mutable: true }),
      ]),
    );
    const trigger = s.stack.directoryRoles?.fn;
    if (!trigger) throw new Error('no directory roles trigger');
    expect(pool.Properties.LambdaConfig).toEqual({
      PreTokenGenerationConfig: {
        LambdaArn: { 'Fn::GetAtt': [logicalId(trigger), 'Arn'] },
        LambdaVersion: 'V2_0',
      },
    });
    const env = (
      s.resource(logicalId(trigger)).Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(JSON.parse(String(env[ENV.directoryRoleGroups]))).toEqual({
      'lear-admin': ['6f1c-lear'],
      'project-lead': ['8a2d-projektledere'],
    });
    // Only Cognito (this pool) may invoke it.
    const permission = s
      .ofType('AWS::Lambda::Permission')
      .find(([, p]) => s.describe(p.Properties.FunctionName) === logicalId(trigger));
    expect(permission?.[1].Properties.Principal).toBe('cognito-idp.amazonaws.com');
    expect(s.describe(permission?.[1].Properties.SourceArn)).toBe(logicalId(s.stack.stateful.userPool));
  });

  it('keeps cdk-nag clean without the acknowledgements a bare distribution needs', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(app)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
    const acknowledged = s.stack.web.distribution.node.defaultChild?.node.metadata
      .flatMap((entry) => Object.keys((entry.data ?? {}) as Record<string, string>))
      .join(' ');
    expect(acknowledged).not.toContain('CFR4');
    expect(acknowledged).not.toContain('CFR2');
  });
});

describe('SAML federation', () => {
  it('reads the provider’s metadata URL, maps the e-mail claim and signs out at the provider too', () => {
    const stack = new Stack(new App(), 'Federated', {
      env: { account: '123456789012', region: 'eu-central-1' },
    });
    const stateful = new Stateful(stack, 'Stateful', {
      config: parseConfig({
        ...CDK_CONTEXT,
        identityProvider: {
          type: 'saml',
          name: 'KK-EntraID',
          metadataUrl:
            'https://login.microsoftonline.com/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a/federationmetadata/2007-06/federationmetadata.xml',
        },
      }),
    });
    stateful.allowSignInAt({
      callbackUrls: ['https://tilskud.kk.dk/app/sign-in'],
      logoutUrls: ['https://tilskud.kk.dk/app/sign-in'],
    });
    const template = Template.fromStack(stack).toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const [provider] = Object.values(template).filter(
      (r) => r.Type === 'AWS::Cognito::UserPoolIdentityProvider',
    );
    expect(provider?.Properties.ProviderType).toBe('SAML');
    expect(provider?.Properties.ProviderDetails).toMatchObject({
      MetadataURL:
        'https://login.microsoftonline.com/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a/federationmetadata/2007-06/federationmetadata.xml',
      IDPSignout: true,
    });
    expect(provider?.Properties.AttributeMapping).toEqual({
      email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
    });
  });

  it('refuses a people client whose sign-in URLs the web app never gave', () => {
    const stack = new Stack(new App(), 'Unwired');
    new Stateful(stack, 'Stateful', { config: parseConfig(CDK_CONTEXT) });
    expect(() => Template.fromStack(stack)).toThrow(/allowSignInAt/);
  });
});
