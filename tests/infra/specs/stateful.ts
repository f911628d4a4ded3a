import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE, ROLES, TOTALS_READ_SCOPE } from '../../../lib/shared/names';
import { type KeyDef, TABLES } from '../../../lib/storage/tables';
import { TEST_CONFIG } from '../support/app';
import { s } from '../support/current';
import { logicalId } from '../support/template';

const keySchema = (pk: KeyDef, sk?: KeyDef) => [
  { AttributeName: pk.name, KeyType: 'HASH' },
  ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
];

describe('tables (from lib/storage/tables.ts)', () => {
  it('has exactly the tables TABLES defines', () => {
    const ids = s.stack.stateful.tables.map((t) => logicalId(t.table)).sort();
    expect(
      s
        .ofType('AWS::DynamoDB::Table')
        .map(([id]) => id)
        .sort(),
    ).toEqual(ids);
    expect(s.stack.stateful.tables.map((t) => t.def)).toEqual(TABLES);
  });

  describe.each(TABLES.map((def) => [def.id, def] as const))('%s', (_id, def) => {
    const resource = () => {
      const bound = s.stack.stateful.tables.find((t) => t.def.id === def.id);
      if (!bound) throw new Error(`no table ${def.id}`);
      const found = s.resource(logicalId(bound.table));
      if (!found) throw new Error(`no resource for ${def.id}`);
      return found;
    };

    it('keeps its data: point-in-time recovery, deletion protection, retained on stack deletion', () => {
      const table = resource();
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    });

    it('bills on demand and is encrypted', () => {
      const table = resource();
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    });

    it('has the keys, indexes, TTL and stream of its definition', () => {
      const table = resource();
      expect(table.Properties.KeySchema).toEqual(keySchema(def.partitionKey, def.sortKey));
      const indexes =
        (table.Properties.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined) ?? [];
      expect(
        indexes.map((index) => ({
          name: index.IndexName,
          keys: index.KeySchema,
          projection: index.Projection,
        })),
      ).toEqual(
        def.indexes.map((index) => ({
          name: index.indexName,
          keys: keySchema(index.partitionKey, index.sortKey),
          projection:
            typeof index.projection === 'string'
              ? { ProjectionType: index.projection }
              : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection] },
        })),
      );
      expect(table.Properties.TimeToLiveSpecification).toEqual(
        def.timeToLiveAttribute ? { AttributeName: def.timeToLiveAttribute, Enabled: true } : undefined,
      );
      expect(table.Properties.StreamSpecification).toEqual(
        def.stream ? { StreamViewType: def.stream } : undefined,
      );
    });
  });

  it('gives the ledger a NEW_IMAGE stream, and TTL on idempotency and alert records', () => {
    expect(s.stack.stateful.ledger.def.stream).toBe('NEW_IMAGE');
    expect(s.stack.stateful.ledger.def.timeToLiveAttribute).toBeDefined();
    expect(s.stack.stateful.idempotency.def.timeToLiveAttribute).toBeDefined();
  });
});

describe('event bus', () => {
  it('is a custom bus with an archive of every funding-tracker event, kept for replay', () => {
    s.template.hasResourceProperties('AWS::Events::EventBus', {
      Name: `funding-tracker-${TEST_CONFIG.stage}`,
    });
    const [, archive] = s.single('AWS::Events::Archive');
    expect(archive.Properties.SourceArn).toEqual({
      'Fn::GetAtt': [logicalId(s.stack.stateful.bus), 'Arn'],
    });
    expect(archive.Properties.EventPattern).toEqual({ source: [EVENT_SOURCE] });
    // 0 (or none): kept indefinitely.
    expect([undefined, 0]).toContain(archive.Properties.RetentionDays);
  });

  it('has an audit log group EventBridge may write to, kept for years', () => {
    const audit = s.resource(logicalId(s.stack.stateful.auditLog));
    expect(String(audit.Properties.LogGroupName)).toMatch(/^\/aws\/events\//);
    expect(audit.Properties.RetentionInDays).toBeGreaterThanOrEqual(1827);
    expect(audit?.DeletionPolicy).toBe('Retain');
  });
});

describe('dead-letter queues', () => {
  it('keep messages for 14 days, encrypted, over TLS only, retained', () => {
    for (const queue of Object.values(s.stack.stateful.deadLetterQueues)) {
      const resource = s.resource(logicalId(queue));
      expect(resource.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(resource.Properties.SqsManagedSseEnabled).toBe(true);
      expect(resource?.DeletionPolicy).toBe('Retain');
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('user pool', () => {
  it('has a group per role and nothing else', () => {
    const groups = s.ofType('AWS::Cognito::UserPoolGroup').map(([, group]) => group.Properties.GroupName);
    expect(groups.sort()).toEqual([...ROLES].sort());
  });

  it('lets no one sign up, requires MFA and a strong password, and survives stack deletion', () => {
    const [, pool] = s.single('AWS::Cognito::UserPool');
    expect(pool.Properties.AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
    expect(pool.Properties.MfaConfiguration).toBe('ON');
    expect(pool.Properties.Policies).toMatchObject({
      PasswordPolicy: {
        MinimumLength: 12,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      },
    });
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool?.DeletionPolicy).toBe('Retain');
  });

  it('has a public client for people: authorization code (PKCE), no secret, callbacks on the web app', () => {
    const people = s.resource(logicalId(s.stack.stateful.peopleClient));
    expect(people.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
    });
    // The sign-in page on the distribution's domain (tests/infra/web.test.ts checks the details).
    expect((people.Properties.CallbackURLs as unknown[]).map((url) => s.describe(url))).toEqual([
      `https://${logicalId(s.stack.web.distribution)}.DomainName/app/sign-in`,
    ]);
    expect(people.Properties.AllowedOAuthFlows).not.toContain('implicit');
  });

  it('has a confidential client for finance systems: client credentials with the totals-read scope only', () => {
    const finance = s.resource(logicalId(s.stack.stateful.financeClient));
    expect(finance.Properties).toMatchObject({
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
    });
    const [serverId, server] = s.single('AWS::Cognito::UserPoolResourceServer');
    const identifier = server.Properties.Identifier;
    const [scope] = server.Properties.Scopes as { ScopeName: string }[];
    // Tokens carry the scope as `<identifier>/<scope name>`: the name lib/shared/names.ts gives it.
    expect(`${identifier}/${scope?.ScopeName}`).toBe(TOTALS_READ_SCOPE);
    // The client refers to the resource server (whose Ref is its identifier), one scope only.
    const scopes = (finance.Properties.AllowedOAuthScopes as unknown[]).map((value) => s.describe(value));
    expect(scopes).toEqual([`${serverId}/${scope?.ScopeName}`]);
  });
});
