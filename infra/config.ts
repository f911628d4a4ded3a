import type { Construct } from 'constructs';
import * as z from 'zod';
import { RoleGroupsSchema } from '../lib/domain/directory-roles';

/**
 * The deployment's configuration, read from CDK context (cdk.json, or `-c key=value` on the command
 * line) and validated when the app is synthesized, so a typo fails `cdk synth` with the key's name
 * instead of deploying a stack that mails alerts from nowhere.
 */
export interface DeploymentConfig {
  /** Names the stack and its resources: `dev`, `test`, `prod`. */
  readonly stage: string;
  /** The From address of alert e-mails; the stack creates it as an SES identity. */
  readonly alertSender: string;
  /** Where alarms (function errors, dead-letter queues with messages, publisher lag) are mailed. */
  readonly operatorEmail: string;
  /**
   * The web application's own domain (e.g. `tilskud.kk.dk`) with its ACM certificate, which CloudFront
   * requires in us-east-1. Absent: the app lives on the distribution's `*.cloudfront.net` name.
   */
  readonly webDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** An AWS WAF web ACL (scope CLOUDFRONT, so in us-east-1) to put in front of the distribution. */
  readonly webAclArn?: string;
  /** The municipality's identity provider people sign in through, besides the user pool's own accounts. */
  readonly identityProvider?: IdentityProviderConfig;
  /** Days before a deadline's `dueOn` when an alert goes out, tightest last: 30, 14, 7, 1. */
  readonly deadlineAlertDays: readonly number[];
  /** Days before a grant's `fundingEndsOn` when an alert goes out: 90, 30. */
  readonly fundingAlertDays: readonly number[];
}

export const CONTEXT_KEYS = [
  'stage',
  'alertSender',
  'operatorEmail',
  'deadlineAlertDays',
  'fundingAlertDays',
  'webDomainName',
  'webCertificateArn',
  'webAclArn',
  'identityProvider',
] as const;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `The CDK context is not a valid funding-tracker configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Set the keys in cdk.json ("context") or pass them with -c, e.g. ' +
        'npx cdk deploy -c stage=prod -c alertSender=no-reply@example.dk -c operatorEmail=drift@example.dk',
    );
    this.name = 'ConfigError';
  }
}

/** `-c key=a,b` arrives as a string, cdk.json gives a JSON array: accept both (and a JSON array in a string). */
const list = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }
  return text === '' ? [] : text.split(',').map((part) => part.trim());
};

const email = z.email('must be an e-mail address');

/** A JSON object given as a string on the command line (`-c identityProvider='{"type":"oidc",...}'`). */
const jsonObject = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });

const domainName = z
  .string()
  .regex(
    /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case domain name such as tilskud.kk.dk, without https:// or a path',
  );

/** CloudFront only takes certificates from ACM in us-east-1, whatever region the stack is in. */
const certificateArn = z
  .string()
  .regex(
    /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/,
    'must be the ARN of an ACM certificate in us-east-1 (CloudFront uses no other region)',
  );

const webAclArn = z
  .string()
  .regex(
    /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[0-9a-f-]{36}$/,
    'must be the ARN of a WAF web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)',
  );

/** Cognito's rule for an identity provider's name, which also shows on the managed login page. */
const providerName = z
  .string('must be set')
  .regex(/^[\w.-]{3,32}$/, 'must be 3-32 letters, digits, dots, dashes or underscores, e.g. KK-EntraID');

/**
 * Which directory groups give which role: the claim (OIDC) or attribute (SAML) that lists a person's
 * groups, and the groups per role, e.g. Entra ID group object ids. Both or neither.
 */
const directoryRoles = {
  groupsClaim: z.string().min(1).optional(),
  roleGroups: RoleGroupsSchema.optional(),
};

const OidcProviderSchema = z.object({
  type: z.literal('oidc'),
  name: providerName,
  /** The issuer; Cognito reads its /.well-known/openid-configuration. */
  issuerUrl: httpsUrl,
  clientId: z.string('must be set').min(1, 'must be set'),
  /** A Secrets Manager secret holding the client secret, resolved by CloudFormation at deploy time. */
  clientSecretArn: z
    .string('must be set')
    .regex(/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN'),
  /** The key of the client secret in a JSON secret; absent: the whole secret string is the client secret. */
  clientSecretField: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).min(1).default(['openid', 'email', 'profile']),
  /** The claim of the provider's ID token that holds the person's e-mail address. */
  emailClaim: z.string().min(1).default('email'),
  ...directoryRoles,
});

const SamlProviderSchema = z.object({
  type: z.literal('saml'),
  name: providerName,
  /** The federation metadata document, e.g. Entra ID's https://login.microsoftonline.com/<tenant>/federationmetadata/2007-06/federationmetadata.xml?appid=<app>. */
  metadataUrl: httpsUrl,
  /** The assertion attribute that holds the person's e-mail address. */
  emailAttribute: z
    .string()
    .min(1)
    .default('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'),
  ...directoryRoles,
});

const IdentityProviderSchema = z
  .discriminatedUnion('type', [OidcProviderSchema, SamlProviderSchema], {
    error: 'must be {"type":"oidc",...} or {"type":"saml",...} (infra/README.md, "Federation")',
  })
  .superRefine((idp, ctx) => {
    if (idp.roleGroups && !idp.groupsClaim) {
      ctx.addIssue({
        code: 'custom',
        path: ['groupsClaim'],
        message: 'must be set with roleGroups: the claim or attribute that lists a person’s groups',
      });
    }
    if (idp.groupsClaim && !idp.roleGroups) {
      ctx.addIssue({
        code: 'custom',
        path: ['roleGroups'],
        message:
          'must be set with groupsClaim: which groups give which role, e.g. {"lear-admin":["<group id>"]}',
      });
    }
  });

export type IdentityProviderConfig = z.output<typeof IdentityProviderSchema>;

const days = (max: number) =>
  z.preprocess(
    (value) => {
      const items = list(value);
      return Array.isArray(items)
        ? items.map((item) => (typeof item === 'string' ? Number(item) : item))
        : items;
    },
    z
      .array(
        z
          .number()
          .int('must be whole days')
          .min(1, 'must be at least 1 day')
          .max(max, `must be at most ${max} days`),
      )
      .min(1, 'needs at least one threshold')
      .refine((values) => new Set(values).size === values.length, 'must not repeat a threshold')
      // Tightest last, the order alerts go out in; the runtime reads the same comma-separated list.
      .transform((values) => [...values].sort((a, b) => b - a)),
  );

const ConfigSchema = z
  .object({
    stage: z
      .string('must be set')
      .regex(
        /^[a-z][a-z0-9-]{1,19}$/,
        'must be 2-20 lower-case letters, digits or dashes, starting with a letter',
      ),
    alertSender: z.string('must be set').pipe(email),
    operatorEmail: z.string('must be set').pipe(email),
    deadlineAlertDays: days(365),
    fundingAlertDays: days(730),
    webDomainName: domainName.optional(),
    webCertificateArn: certificateArn.optional(),
    webAclArn: webAclArn.optional(),
    identityProvider: z.preprocess(jsonObject, IdentityProviderSchema.optional()),
  })
  .superRefine((config, ctx) => {
    // A domain without its certificate (or the reverse) would deploy a distribution nobody can reach by name.
    if (config.webDomainName && !config.webCertificateArn) {
      ctx.addIssue({
        code: 'custom',
        path: ['webCertificateArn'],
        message: `must be set with webDomainName (${config.webDomainName}): an ACM certificate in us-east-1 covering it`,
      });
    }
    if (config.webCertificateArn && !config.webDomainName) {
      ctx.addIssue({
        code: 'custom',
        path: ['webDomainName'],
        message: 'must be set with webCertificateArn: the domain the certificate is for',
      });
    }
  })
  .transform(
    ({ webDomainName, webCertificateArn, ...rest }): DeploymentConfig => ({
      ...rest,
      ...(webDomainName && webCertificateArn
        ? { webDomain: { domainName: webDomainName, certificateArn: webCertificateArn } }
        : {}),
    }),
  );

/** Validates raw context values; every problem is reported at once, each with its key. */
export const parseConfig = (context: Readonly<Record<string, unknown>>): DeploymentConfig => {
  const result = ConfigSchema.safeParse(context);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.');
    const got = issue.path.length > 0 ? context[String(issue.path[0])] : undefined;
    const shown = got === undefined ? 'it is not set' : `got ${JSON.stringify(got)}`;
    return `${key || 'context'}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(problems);
};

/** Reads the configuration from a construct's context (the app's, in practice). */
export const configFromContext = (scope: Construct): DeploymentConfig =>
  parseConfig(Object.fromEntries(CONTEXT_KEYS.map((key) => [key, scope.node.tryGetContext(key) as unknown])));
