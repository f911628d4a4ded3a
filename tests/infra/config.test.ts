import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../infra/config';
import { CDK_CONTEXT } from './support/app';

const valid = {
  stage: 'prod',
  alertSender: 'no-reply@kk.dk',
  operatorEmail: 'drift@kk.dk',
  deadlineAlertDays: [30, 14, 7, 1],
  fundingAlertDays: [90, 30],
};

const problemsOf = (context: Record<string, unknown>): string[] => {
  try {
    parseConfig(context);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

describe('CDK context → deployment configuration', () => {
  it('accepts the context in cdk.json', () => {
    // arrange / act
    const config = parseConfig(CDK_CONTEXT);
    // assert
    expect(config.stage).toBe('dev');
    expect(config.deadlineAlertDays).toEqual([30, 14, 7, 1]);
    expect(config.fundingAlertDays).toEqual([90, 30]);
  });

  it('accepts the string forms -c gives on the command line', () => {
    const config = parseConfig({
      ...valid,
      deadlineAlertDays: '1,7,14,30',
      fundingAlertDays: '["90","30"]',
      identityProvider:
        '{"type":"saml","name":"KK-EntraID","metadataUrl":"https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml"}',
    });
    expect(config.identityProvider).toMatchObject({ type: 'saml', name: 'KK-EntraID' });
    // Tightest last, whatever order they were given in.
    expect(config.deadlineAlertDays).toEqual([30, 14, 7, 1]);
    expect(config.fundingAlertDays).toEqual([90, 30]);
  });

  it('names every missing key at once', () => {
    const problems = problemsOf({});
    for (const key of ['stage', 'alertSender', 'operatorEmail', 'deadlineAlertDays', 'fundingAlertDays']) {
      expect(problems.some((p) => p.startsWith(`${key}:`) && p.includes('not set'))).toBe(true);
    }
  });

  it.each([
    ['stage', 'Prod!', 'stage:'],
    ['alertSender', 'not-an-address', 'alertSender: must be an e-mail address'],
    ['operatorEmail', 'drift', 'operatorEmail: must be an e-mail address'],
    ['webDomainName', 'https://tilskud.kk.dk', 'webDomainName: must be a lower-case domain name'],
    [
      'webCertificateArn',
      'arn:aws:acm:eu-west-1:123456789012:certificate/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a',
      'in us-east-1',
    ],
    [
      'webAclArn',
      'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/kk/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a',
      'scope CLOUDFRONT',
    ],
    ['identityProvider', { type: 'ldap' }, 'identityProvider.type: must be {"type":"oidc"'],
    [
      'identityProvider',
      { type: 'oidc', name: 'KK', issuerUrl: 'https://login.example.dk' },
      'identityProvider.name',
    ],
    [
      'identityProvider',
      '{"type":"saml","name":"KK-EntraID","metadataUrl":"http://x.dk/m.xml"}',
      'identityProvider.metadataUrl: must be an https URL',
    ],
    ['deadlineAlertDays', [30, 30], 'must not repeat a threshold'],
    ['deadlineAlertDays', [0], 'must be at least 1 day'],
    ['deadlineAlertDays', '30,soon', 'deadlineAlertDays.1'],
    ['fundingAlertDays', [], 'fundingAlertDays: needs at least one threshold'],
  ])('refuses %s = %j with a message that names it', (key, value, expected) => {
    const problems = problemsOf({ ...valid, [key]: value });
    expect(problems.join('\n')).toContain(expected);
  });

  it('takes a custom domain only with its us-east-1 certificate, and the reverse', () => {
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a';
    expect(problemsOf({ ...valid, webDomainName: 'tilskud.kk.dk' }).join('\n')).toContain(
      'webCertificateArn: must be set with webDomainName',
    );
    expect(problemsOf({ ...valid, webCertificateArn: arn }).join('\n')).toContain(
      'webDomainName: must be set with webCertificateArn',
    );
    expect(
      parseConfig({ ...valid, webDomainName: 'tilskud.kk.dk', webCertificateArn: arn }).webDomain,
    ).toEqual({
      domainName: 'tilskud.kk.dk',
      certificateArn: arn,
    });
  });

  it('reads an OIDC identity provider with its defaults, the client secret only as a Secrets Manager ARN', () => {
    const config = parseConfig({
      ...valid,
      identityProvider: {
        type: 'oidc',
        name: 'KK-EntraID',
        issuerUrl: 'https://login.microsoftonline.com/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a/v2.0',
        clientId: 'c1',
        clientSecretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:kk-entra-AbCdEf',
      },
    });
    expect(config.identityProvider).toEqual({
      type: 'oidc',
      name: 'KK-EntraID',
      issuerUrl: 'https://login.microsoftonline.com/0b7b0b3a-6f0e-4d7e-9a3c-1f2e3d4c5b6a/v2.0',
      clientId: 'c1',
      clientSecretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:kk-entra-AbCdEf',
      scopes: ['openid', 'email', 'profile'],
      emailClaim: 'email',
    });
    expect(
      problemsOf({
        ...valid,
        identityProvider: { ...config.identityProvider, clientSecretArn: 'hunter2' },
      }).join('\n'),
    ).toContain('identityProvider.clientSecretArn: must be a Secrets Manager secret ARN');
  });

  it('takes directory role groups only with the claim that lists a person’s groups, and the reverse', () => {
    const saml = {
      type: 'saml',
      name: 'KK-EntraID',
      metadataUrl: 'https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml',
    };
    expect(
      problemsOf({ ...valid, identityProvider: { ...saml, roleGroups: { finance: ['g'] } } }).join('\n'),
    ).toContain('identityProvider.groupsClaim: must be set with roleGroups');
    expect(
      problemsOf({ ...valid, identityProvider: { ...saml, groupsClaim: 'groups' } }).join('\n'),
    ).toContain('identityProvider.roleGroups: must be set with groupsClaim');
    expect(
      problemsOf({
        ...valid,
        identityProvider: { ...saml, groupsClaim: 'groups', roleGroups: { admin: ['g'] } },
      }),
    ).not.toEqual([]);
    const config = parseConfig({
      ...valid,
      identityProvider: {
        ...saml,
        groupsClaim: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
        roleGroups: { finance: ['g1'] },
      },
    });
    expect(config.identityProvider?.roleGroups).toEqual({ finance: ['g1'] });
  });

  it('needs no web domain, web ACL or identity provider', () => {
    const config = parseConfig(valid);
    expect(config.webDomain).toBeUndefined();
    expect(config.webAclArn).toBeUndefined();
    expect(config.identityProvider).toBeUndefined();
  });

  it('tells how to set the keys', () => {
    expect(() => parseConfig({})).toThrow(/cdk\.json.*-c/s);
  });
});
