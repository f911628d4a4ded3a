import type { Problem } from '../../lib/api/problem';
import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGrantsApi } from '../../functions/grants-api/app';
import { createMetaApi } from '../../functions/meta-api/app';
import type { ApiEvent, ApiResult } from '../../lib/api/http';
import { MAX_BODY_BYTES } from '../../lib/api/http';
import { ROUTES, type RouteDef, routeKey } from '../../lib/api/routes';
import { fixedClock } from '../../lib/domain/dates';
import {
  type DeadlineRecord,
  type GrantRecord,
  type PaymentRecord,
  registerGrant,
} from '../../lib/domain/grant';
import { GrantInputSchema, GrantSchema } from '../../lib/domain/schemas';
import { ROLES, type Role } from '../../lib/shared/names';
import { keys } from '../../lib/storage/items';
import { Ledger } from '../../lib/storage/ledger';
import { apiEvent, lambdaContext, type RequestOptions } from '../support/api-events';
import { atelierInput } from '../support/fixtures';

const withPath = (route: RouteDef) =>
  route.path.replace('{grantId}', STORED_ID).replace('{deadlineId}', 'report-2021-04-30');

// ---- what every response must look like ----

/** No stack frame, no error class name, no source path: nothing of the inside leaks out. */
const expectNoInternals = (result: ApiResult) => {
  const body = String(result.body ?? '');
  expect(body).not.toMatch(/\bat \S+ \(?\S+:\d+:\d+\)?/);
  expect(body).not.toMatch(/(\\n|\n)\s*at /);
  expect(body).not.toContain('Error:');
  expect(body).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+/);
};

const expectCommonHeaders = (result: ApiResult, event: ApiEvent) => {
  expect(result.headers['Cache-Control']).toBe('no-store');
  expect(result.headers['X-Content-Type-Options']).toBe('nosniff');
  expect(result.headers['X-Request-Id']).toBe(event.requestContext.requestId);
  expectNoInternals(result);
};

const expectProblem = (result: ApiResult, event: ApiEvent, status: number): Problem => {
  expect(result.statusCode).toBe(status);
  expect(result.headers['Content-Type']).toBe('application/problem+json');
  expectCommonHeaders(result, event);
  const problem = JSON.parse(String(result.body)) as Problem;
  expect(problem).toMatchObject({
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    requestId: event.requestContext.requestId,
  });
  return problem;
};

const jsonOf = <T = Record<string, unknown>>(result: ApiResult): T => JSON.parse(String(result.body)) as T;

// ---- a stored grant, as the ledger holds it ----

const STORED_ID = '01JQ7Z3K8M4N5P6Q7R8S9T0V1W';

const stored = (overrides: Record<string, unknown> = {}, record: Partial<GrantRecord> = {}) => {
  const { grant, deadlines } = registerGrant(GrantInputSchema.parse({ ...atelierInput(), ...overrides }), {
    now: new Date('2026-01-10T09:00:00Z'),
    actor: 'lear@kk.dk',
    newId: () => STORED_ID,
  });
  return { grant: { ...grant, ...record }, deadlines };
};

const grantItem = (grant: GrantRecord) => ({ ...keys.grant(grant.grantId), type: 'GRANT', ...grant });
const deadlineItem = (deadline: DeadlineRecord, grant: GrantRecord) => ({
  ...keys.deadline(deadline.grantId, deadline.deadlineId),
  type: 'DEADLINE',
  ...deadline,
  acronym: grant.acronym,
  forvaltning: grant.forvaltning,
  programme: grant.programme,
});
const paymentItem = (payment: PaymentRecord) => ({
  ...keys.payment(payment.grantId, payment.paymentId),
  type: 'PAYMENT',
  ...payment,
});

// ---- the grants API ----

describe('the grants API handler', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  // The idempotency store's own client, backed by a small in-memory table (below).
  const idempotencyDynamo = new DynamoDBClient({
    region: 'eu-central-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const idempotency = mockClient(idempotencyDynamo);
  const idempotencyRecords = new Map<string, Record<string, AttributeValue>>();

  let handler: ReturnType<typeof createGrantsApi>;
  const call = (event: ApiEvent) => handler(event, lambdaContext()) as Promise<ApiResult>;
  const noWrites = () => {
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
    expect(ddb).not.toHaveReceivedCommand(BatchWriteCommand);
  };

  /** A minimal DynamoDB for Powertools' persistence layer: conditional put, get, update, delete by `id`. */
  const fakeIdempotencyTable = () => {
    const idOf = (key: Record<string, AttributeValue> | undefined) => key?.id?.S ?? '';
    idempotency.on(PutItemCommand).callsFake(async (input: { Item?: Record<string, AttributeValue> }) => {
      const id = idOf(input.Item);
      const existing = idempotencyRecords.get(id);
      if (existing) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: existing,
        });
      }
      idempotencyRecords.set(id, { ...input.Item });
      return {};
    });
    idempotency.on(GetItemCommand).callsFake(async (input: { Key?: Record<string, AttributeValue> }) => {
      const item = idempotencyRecords.get(idOf(input.Key));
      return item ? { Item: item } : {};
    });
    idempotency
      .on(UpdateItemCommand)
      .callsFake(
        async (input: {
          Key?: Record<string, AttributeValue>;
          UpdateExpression?: string;
          ExpressionAttributeNames?: Record<string, string>;
          ExpressionAttributeValues?: Record<string, AttributeValue>;
        }) => {
          const id = idOf(input.Key);
          const item: Record<string, AttributeValue> = { ...(idempotencyRecords.get(id) ?? input.Key) };
          const assignments = (input.UpdateExpression ?? '').replace(/^SET /, '').split(',');
          for (const assignment of assignments) {
            const [name = '', value = ''] = assignment.split('=').map((s) => s.trim());
            const attribute = input.ExpressionAttributeNames?.[name];
            const attributeValue = input.ExpressionAttributeValues?.[value];
            if (attribute && attributeValue) item[attribute] = attributeValue;
          }
          idempotencyRecords.set(id, item);
          return {};
        },
      );
    idempotency.on(DeleteItemCommand).callsFake(async (input: { Key?: Record<string, AttributeValue> }) => {
      idempotencyRecords.delete(idOf(input.Key));
      return {};
    });
  };

  beforeEach(() => {
    idempotencyRecords.clear();
    fakeIdempotencyTable();
    let n = 0;
    handler = createGrantsApi({
      ledger: new Ledger(
        DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })),
        'ledger-test',
      ),
      clock: fixedClock('2026-03-28T23:30:00Z'),
      newId: () => `01JQ8000000000000000000${String(++n).padStart(3, '0')}`,
      logger: new Logger({ serviceName: 'grants-api', logLevel: 'SILENT' }),
      idempotencyStore: new DynamoDBPersistenceLayer({
        tableName: 'idempotency-test',
        awsSdkV3Client: idempotencyDynamo,
      }),
    });
  });

  afterEach(() => {
    ddb.reset();
    idempotency.reset();
  });

  describe('registering a grant: POST /grants', () => {
    it('answers 201 with the grant, Location and ETag "1", and writes grant, report deadlines and events in one transaction', async () => {
      // arrange
      ddb.on(TransactWriteCommand).resolves({});
      const event = apiEvent('POST', '/grants', { body: atelierInput() });
      // act
      const result = await call(event);
      // assert
      expect(result.statusCode).toBe(201);
      expect(result.headers['Content-Type']).toMatch(/^application\/json/);
      expectCommonHeaders(result, event);
      const grant = GrantSchema.parse(jsonOf(result));
      expect(result.headers.Location).toBe(`/grants/${grant.grantId}`);
      expect(result.headers.ETag).toBe('"1"');
      expect(grant).toMatchObject({
        version: 1,
        acronym: 'ATELIER',
        funderType: 'EU',
        awardedDkk: { amount: '4971004.88', currency: 'DKK' },
        createdBy: 'lear@kk.dk',
        createdAt: '2026-03-28T23:30:00.000Z',
      });
      expect(grant.deadlines?.map((d) => d.kind)).toEqual([
        'PERIODIC_REPORT',
        'PERIODIC_REPORT',
        'FINAL_REPORT',
      ]);

      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
      const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
      const puts = items.map((item) => item.Put?.Item ?? {});
      expect(items[0]?.Put).toMatchObject({
        TableName: 'ledger-test',
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: {
          pk: `GRANT#${grant.grantId}`,
          sk: 'GRANT',
          type: 'GRANT',
          grantId: grant.grantId,
          version: 1,
          acronym: 'ATELIER',
          awarded: { minor: 66_546_250, currency: 'EUR' },
          exchangeRateToDkk: '7.47',
        },
      });
      expect(
        puts.filter((item) => item.type === 'DEADLINE').map((item) => [item.sk, item.kind, item.dueOn]),
      ).toEqual([
        ['DEADLINE#report-2021-04-30', 'PERIODIC_REPORT', '2021-06-29'],
        ['DEADLINE#report-2022-10-31', 'PERIODIC_REPORT', '2022-12-30'],
        ['DEADLINE#report-2024-10-31', 'FINAL_REPORT', '2024-12-30'],
      ]);
      const outbox = puts.filter((item) => item.type === 'OUTBOX');
      expect(outbox.map((item) => item.detailType)).toEqual([
        'GrantRegistered',
        'DeadlineAdded',
        'DeadlineAdded',
        'DeadlineAdded',
      ]);
      const registered = JSON.parse(String(outbox[0]?.detail)) as Record<string, unknown>;
      expect(registered).toMatchObject({
        eventId: outbox[0]?.eventId,
        occurredAt: '2026-03-28T23:30:00.000Z',
        grant: { grantId: grant.grantId, acronym: 'ATELIER', forvaltning: 'TMF', programme: 'H2020' },
      });
    });

    it('reads a base64-encoded body as API Gateway may send it', async () => {
      ddb.on(TransactWriteCommand).resolves({});
      const event = apiEvent('POST', '/grants', { body: atelierInput(), isBase64Encoded: true });
      const result = await call(event);
      expect(result.statusCode).toBe(201);
    });

    it('returns the first response again for the same Idempotency-Key and body, writing once', async () => {
      // arrange
      ddb.on(TransactWriteCommand).resolves({});
      const request = () =>
        apiEvent('POST', '/grants', {
          body: atelierInput(),
          headers: { 'Idempotency-Key': 'import-row-17' },
        });
      // act
      const first = await call(request());
      const secondEvent = request();
      const second = await call(secondEvent);
      // assert
      expect(first.statusCode).toBe(201);
      expect(second.statusCode).toBe(201);
      expect(second.body).toBe(first.body);
      expect(second.headers.Location).toBe(first.headers.Location);
      expect(second.headers.ETag).toBe('"1"');
      expectCommonHeaders(second, secondEvent);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    });

    it('refuses the same Idempotency-Key with another body: 422, and nothing more written', async () => {
      ddb.on(TransactWriteCommand).resolves({});
      const headers = { 'Idempotency-Key': 'import-row-18' };
      await call(apiEvent('POST', '/grants', { body: atelierInput(), headers }));
      const event = apiEvent('POST', '/grants', { body: atelierInput({ acronym: 'OTHER' }), headers });
      const problem = expectProblem(await call(event), event, 422);
      expect(problem.detail).toContain('Idempotency-Key');
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    });

    it('handles a key afresh after a refused request, so the corrected body goes through', async () => {
      ddb.on(TransactWriteCommand).resolves({});
      const headers = { 'Idempotency-Key': 'import-row-19' };
      const refused = await call(
        apiEvent('POST', '/grants', { body: atelierInput({ acronym: '' }), headers }),
      );
      expect(refused.statusCode).toBe(400);
      const accepted = await call(apiEvent('POST', '/grants', { body: atelierInput(), headers }));
      expect(accepted.statusCode).toBe(201);
    });

    it('lets an in-progress key expire with its invocation when a failed request cannot delete it', async () => {
      // arrange: the registration fails and so does the clean-up of its in-progress record
      ddb.on(TransactWriteCommand).rejects(new Error('socket hang up'));
      idempotency.on(DeleteItemCommand).rejects(new Error('socket hang up'));
      const before = Date.now();
      // act
      await call(
        apiEvent('POST', '/grants', { body: atelierInput(), headers: { 'Idempotency-Key': 'k-20' } }),
      );
      // assert: the record left behind says until when it blocks the key (the invocation's ~29 s)
      const [record] = [...idempotencyRecords.values()];
      const expiresAt = Number(record?.in_progress_expiration?.N);
      expect(record?.status?.S).toBe('INPROGRESS');
      expect(expiresAt).toBeGreaterThanOrEqual(before + 28_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 29_000);
    });
  });

  describe('reading and listing', () => {
    it('answers GET /grants/{grantId} with payments, deadlines and the ETag', async () => {
      // arrange
      const { grant, deadlines } = stored(
        {},
        { version: 4, receivedMinor: 60_000, receivedDkkMinor: 448_200 },
      );
      const payment: PaymentRecord = {
        grantId: STORED_ID,
        paymentId: 'P1',
        receivedOn: '2020-01-15',
        amount: { minor: 60_000, currency: 'EUR' },
        amountDkkMinor: 448_200,
        kind: 'PREFINANCING',
        recordedAt: '2026-01-11T10:00:00.000Z',
        recordedBy: 'finance@kk.dk',
      };
      ddb.on(QueryCommand).resolves({
        Items: [grantItem(grant), ...deadlines.map((d) => deadlineItem(d, grant)), paymentItem(payment)],
      });
      const event = apiEvent('GET', `/grants/${STORED_ID}`, {
        claims: { email: 'finance@kk.dk', 'cognito:groups': '[finance]' },
      });
      // act
      const result = await call(event);
      // assert
      expect(result.statusCode).toBe(200);
      expectCommonHeaders(result, event);
      expect(result.headers.ETag).toBe('"4"');
      const body = GrantSchema.parse(jsonOf(result));
      expect(body.payments?.map((p) => p.amountDkk)).toEqual([{ amount: '4482.00', currency: 'DKK' }]);
      expect(body.deadlines).toHaveLength(3);
      expect(body.receivedDkk).toEqual({ amount: '4482.00', currency: 'DKK' });
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        TableName: 'ledger-test',
        ExpressionAttributeValues: { ':pk': `GRANT#${STORED_ID}` },
      });
    });

    it('answers GET /grants with items and a null cursor when nothing follows', async () => {
      const { grant } = stored();
      ddb.on(QueryCommand).resolves({ Items: [grantItem(grant)] });
      const event = apiEvent('GET', '/grants', {
        query: { forvaltning: 'TMF', limit: '10' },
        claims: { email: 'lead@kk.dk', 'cognito:groups': '[project-lead]' },
      });
      const result = await call(event);
      expect(result.statusCode).toBe(200);
      expectCommonHeaders(result, event);
      const body = jsonOf<{ items: { grantId: string }[]; nextCursor: string | null }>(result);
      expect(body.items.map((g) => g.grantId)).toEqual([STORED_ID]);
      expect(body.nextCursor).toBeNull();
    });
  });

  describe('changing', () => {
    it('answers PATCH /grants/{grantId} with 200 and the next ETag, conditional on the version read', async () => {
      // arrange
      const { grant, deadlines } = stored();
      ddb
        .on(QueryCommand)
        .resolves({ Items: [grantItem(grant), ...deadlines.map((d) => deadlineItem(d, grant))] });
      ddb.on(TransactWriteCommand).resolves({});
      const event = apiEvent('PATCH', `/grants/${STORED_ID}`, {
        body: { title: 'ATELIER: positive energy districts' },
        headers: { 'If-Match': '"1"' },
      });
      // act
      const result = await call(event);
      // assert
      expect(result.statusCode).toBe(200);
      expectCommonHeaders(result, event);
      expect(result.headers.ETag).toBe('"2"');
      expect(jsonOf(result)).toMatchObject({ version: 2, title: 'ATELIER: positive energy districts' });
      const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
      const grantWrite = items
        .map((item) => item.Put ?? item.Update)
        .find((w) => {
          const key = (w && 'Key' in w ? w.Key : w?.Item) as Record<string, unknown> | undefined;
          return key?.pk === `GRANT#${STORED_ID}` && key?.sk === 'GRANT';
        });
      expect(grantWrite?.ConditionExpression).toContain('version = :expected');
      expect(grantWrite?.ExpressionAttributeValues?.[':expected']).toBe(1);
      const outbox = items.map((item) => item.Put?.Item).filter((item) => item?.type === 'OUTBOX');
      expect(outbox.map((item) => item?.detailType)).toEqual(['GrantUpdated']);
    });

    it('answers POST /grants/{grantId}/payments with 201 and the payment booked in DKK', async () => {
      const { grant } = stored();
      ddb.on(GetCommand).resolves({ Item: grantItem(grant) });
      ddb.on(TransactWriteCommand).resolves({});
      const event = apiEvent('POST', `/grants/${STORED_ID}/payments`, {
        body: {
          receivedOn: '2020-01-15',
          amount: { amount: '600.00', currency: 'EUR' },
          kind: 'PREFINANCING',
        },
        claims: { email: 'finance@kk.dk', 'cognito:groups': '[finance]' },
      });
      const result = await call(event);
      expect(result.statusCode).toBe(201);
      expectCommonHeaders(result, event);
      const payment = jsonOf<{ paymentId: string; amountDkk: unknown; recordedBy: string }>(result);
      expect(payment.amountDkk).toEqual({ amount: '4482.00', currency: 'DKK' });
      expect(payment.recordedBy).toBe('finance@kk.dk');
      expect(result.headers.Location).toBe(`/grants/${STORED_ID}/payments/${payment.paymentId}`);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    });

    it('marks a deadline DONE on the Copenhagen date: 2026-03-28T23:30Z is 2026-03-29', async () => {
      const { grant, deadlines } = stored();
      ddb
        .on(QueryCommand)
        .resolves({ Items: [grantItem(grant), ...deadlines.map((d) => deadlineItem(d, grant))] });
      ddb.on(TransactWriteCommand).resolves({});
      const event = apiEvent('PATCH', `/grants/${STORED_ID}/deadlines/report-2021-04-30`, {
        body: { status: 'DONE' },
        claims: { email: 'Lead@KK.dk', 'cognito:groups': '[project-lead]' },
      });
      const result = await call(event);
      expect(result.statusCode).toBe(200);
      expect(jsonOf(result)).toMatchObject({ status: 'DONE', doneOn: '2026-03-29', doneBy: 'lead@kk.dk' });
    });
  });

  describe('refusing what a client got wrong (PRODUCT.md 4), writing nothing', () => {
    it('400: malformed JSON', async () => {
      const event = apiEvent('POST', '/grants', { body: '{"acronym": "ATELIER",' });
      const problem = expectProblem(await call(event), event, 400);
      expect(problem.errors).toEqual([{ path: '(body)', message: 'is not well-formed JSON' }]);
      noWrites();
    });

    it('400: every invalid field named, with its path', async () => {
      // arrange
      const body = {
        ...atelierInput(),
        acronym: '',
        pic: '12345',
        awarded: { amount: '1e3', currency: 'XYZ' },
        projectLead: { name: 'P', email: 'not-an-address' },
        reportingPeriods: [{ endsOn: '2021-02-30' }],
        colour: 'red',
      };
      const event = apiEvent('POST', '/grants', { body });
      // act
      const problem = expectProblem(await call(event), event, 400);
      // assert
      expect(problem.errors?.map((e) => e.path)).toEqual([
        'acronym',
        'pic',
        'awarded.amount',
        'awarded.currency',
        'projectLead.email',
        'reportingPeriods.0.endsOn',
        'colour',
      ]);
      expect(problem.detail).toBe('The body has 7 invalid fields.');
      for (const error of problem.errors ?? []) expect(error.message).toEqual(expect.any(String));
      noWrites();
    });

    it('400: a cross-field rule names its field', async () => {
      const event = apiEvent('POST', '/grants', {
        body: atelierInput({ endDate: '2019-10-31', reportingPeriods: [] }),
      });
      const problem = expectProblem(await call(event), event, 400);
      expect(problem.errors).toEqual([{ path: 'endDate', message: 'must be on or after startDate' }]);
      noWrites();
    });

    it('400: an invalid patch, payment and query string, each naming the field', async () => {
      const patch = apiEvent('PATCH', `/grants/${STORED_ID}`, { body: {}, headers: { 'If-Match': '"1"' } });
      expect(expectProblem(await call(patch), patch, 400).errors?.map((e) => e.path)).toEqual(['(body)']);

      const payment = apiEvent('POST', `/grants/${STORED_ID}/payments`, {
        body: {
          receivedOn: '2020-01-15',
          amount: { amount: '600', currency: 'EUR' },
          amountDkk: { amount: '1', currency: 'EUR' },
        },
      });
      expect(expectProblem(await call(payment), payment, 400).errors?.map((e) => e.path)).toEqual([
        'amountDkk.currency',
        'kind',
      ]);

      const list = apiEvent('GET', '/grants', { query: { limit: '101', status: 'OPEN' } });
      expect(expectProblem(await call(list), list, 400).errors?.map((e) => e.path)).toEqual([
        'status',
        'limit',
      ]);
      noWrites();
    });

    it('401: no token claims at all', async () => {
      const event = apiEvent('POST', '/grants', { body: atelierInput(), claims: null });
      expectProblem(await call(event), event, 401);
      expect(ddb).not.toHaveReceivedAnyCommand();
    });

    it('401: claims that name no caller', async () => {
      const event = apiEvent('GET', '/grants', { claims: { 'cognito:groups': '[lear-admin]' } });
      expectProblem(await call(event), event, 401);
      expect(ddb).not.toHaveReceivedAnyCommand();
    });

    const grantsRoutes = ROUTES.filter((route) => route.fn === 'grants-api');
    const forbidden = grantsRoutes.flatMap((route) => {
      if (route.auth.kind !== 'jwt') return [];
      const allowed: readonly Role[] = route.auth.roles;
      return [
        ...ROLES.filter((role) => !allowed.includes(role)).map(
          (role) => [routeKey(route), `[${role}]`, route] as const,
        ),
        [routeKey(route), '[]', route] as const,
        [routeKey(route), '[some-other-group]', route] as const,
      ];
    });

    it('has a 403 case for every role a route refuses', () => {
      expect(grantsRoutes).toHaveLength(11);
      expect(
        forbidden.filter(([, groups]) => groups !== '[]' && groups !== '[some-other-group]'),
      ).toHaveLength(9);
    });

    it.each(forbidden)('403: %s with groups %s', async (_key, groups, route) => {
      // arrange
      const event = apiEvent(route.method, withPath(route), {
        body: route.body ? atelierInput() : undefined,
        headers: { 'If-Match': '"1"' },
        claims: { email: 'someone@kk.dk', 'cognito:groups': groups },
      });
      // act
      const problem = expectProblem(await call(event), event, 403);
      // assert
      expect(problem.detail).toContain(route.auth.kind === 'jwt' ? route.auth.roles.join(', ') : '');
      expect(ddb).not.toHaveReceivedAnyCommand();
    });

    it.each([
      ['GET', `/grants/${STORED_ID}`],
      ['PATCH', `/grants/${STORED_ID}`],
      ['POST', `/grants/${STORED_ID}/deadlines`],
    ])('404: %s %s for an unknown grant', async (method, path) => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb.on(GetCommand).resolves({});
      const body =
        method === 'PATCH'
          ? { title: 'x' }
          : method === 'POST'
            ? { kind: 'OTHER', title: 't', dueOn: '2026-05-01' }
            : undefined;
      const event = apiEvent(method, path, { body, headers: { 'If-Match': '"1"' } });
      const problem = expectProblem(await call(event), event, 404);
      expect(problem.detail).toContain(STORED_ID);
      noWrites();
    });

    it('404: a payment for an unknown grant', async () => {
      ddb.on(GetCommand).resolves({});
      const event = apiEvent('POST', `/grants/${STORED_ID}/payments`, {
        body: { receivedOn: '2020-01-15', amount: { amount: '1.00', currency: 'EUR' }, kind: 'OTHER' },
      });
      expectProblem(await call(event), event, 404);
      noWrites();
    });

    it('404: an unknown deadline of a known grant', async () => {
      const { grant } = stored();
      ddb.on(QueryCommand).resolves({ Items: [grantItem(grant)] });
      const event = apiEvent('PATCH', `/grants/${STORED_ID}/deadlines/NOPE`, { body: { status: 'DONE' } });
      expectProblem(await call(event), event, 404);
      noWrites();
    });

    it('404: a path this API does not have', async () => {
      const event = apiEvent('GET', '/grantz');
      expectProblem(await call(event), event, 404);
      expect(ddb).not.toHaveReceivedAnyCommand();
    });

    it.each([
      ['PUT', '/grants', 'POST, GET'],
      ['DELETE', `/grants/${STORED_ID}`, 'GET, PATCH'],
      ['GET', `/grants/${STORED_ID}/payments`, 'POST'],
      ['POST', '/deadlines', 'GET'],
    ])('405: %s %s', async (method, path, allowed) => {
      const event = apiEvent(method, path, { body: {} });
      const problem = expectProblem(await call(event), event, 405);
      expect(problem.detail).toContain(allowed);
      expect(ddb).not.toHaveReceivedAnyCommand();
    });

    it('409: a status change the rules do not allow (ACTIVE → APPLIED)', async () => {
      const { grant } = stored();
      ddb.on(QueryCommand).resolves({ Items: [grantItem(grant)] });
      const event = apiEvent('PATCH', `/grants/${STORED_ID}`, {
        body: { status: 'APPLIED' },
        headers: { 'If-Match': '"1"' },
      });
      const problem = expectProblem(await call(event), event, 409);
      expect(problem.detail).toContain('from ACTIVE to APPLIED');
      noWrites();
    });

    it('409: a payment on an APPLIED grant', async () => {
      const { grant } = stored({ status: 'APPLIED' });
      ddb.on(GetCommand).resolves({ Item: grantItem(grant) });
      const event = apiEvent('POST', `/grants/${STORED_ID}/payments`, {
        body: { receivedOn: '2020-01-15', amount: { amount: '1.00', currency: 'EUR' }, kind: 'OTHER' },
      });
      expectProblem(await call(event), event, 409);
      noWrites();
    });

    it.each([['"1"'], ['W/"2"']])('412: If-Match %s when the grant is at version 3', async (ifMatch) => {
      const { grant } = stored({}, { version: 3 });
      ddb.on(QueryCommand).resolves({ Items: [grantItem(grant)] });
      const event = apiEvent('PATCH', `/grants/${STORED_ID}`, {
        body: { title: 'x' },
        headers: { 'If-Match': ifMatch },
      });
      const problem = expectProblem(await call(event), event, 412);
      expect(problem.detail).toContain('version 3');
      noWrites();
    });

    it('412: an If-Match that names no version', async () => {
      const event = apiEvent('PATCH', `/grants/${STORED_ID}`, {
        body: { title: 'x' },
        headers: { 'If-Match': '*' },
      });
      expectProblem(await call(event), event, 412);
      expect(ddb).not.toHaveReceivedAnyCommand();
    });

    it('412: another writer got there between the read and the conditional write', async () => {
      const { grant } = stored();
      ddb.on(QueryCommand).resolves({ Items: [grantItem(grant)] });
      ddb.on(TransactWriteCommand).rejects(
        new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
        }),
      );
      const event = apiEvent('PATCH', `/grants/${STORED_ID}`, {
        body: { title: 'x' },
        headers: { 'If-Match': '"1"' },
      });
      expectProblem(await call(event), event, 412);
    });

    it('428: PATCH without If-Match', async () => {
      const event = apiEvent('PATCH', `/grants/${STORED_ID}`, { body: { title: 'x' } });
      const problem = expectProblem(await call(event), event, 428);
      expect(problem.detail).toContain('If-Match');
      expect(ddb).not.toHaveReceivedAnyCommand();
    });

    it('413: a body over 256 KiB, counted in bytes; exactly 256 KiB is read (and here refused as invalid)', async () => {
      // arrange: a body of exactly MAX_BODY_BYTES bytes, and one of one byte more
      const base = JSON.stringify({ ...atelierInput(), notes: '' });
      const exact = JSON.stringify({ ...atelierInput(), notes: 'x'.repeat(MAX_BODY_BYTES - base.length) });
      const over = JSON.stringify({ ...atelierInput(), notes: 'x'.repeat(MAX_BODY_BYTES - base.length + 1) });
      const twoByteChars = JSON.stringify({ ...atelierInput(), notes: 'ø'.repeat(MAX_BODY_BYTES / 2) });
      expect(Buffer.byteLength(exact)).toBe(MAX_BODY_BYTES);
      expect(twoByteChars.length).toBeLessThan(MAX_BODY_BYTES);
      // act + assert
      const atLimit = apiEvent('POST', '/grants', { body: exact });
      expect(expectProblem(await call(atLimit), atLimit, 400).errors?.map((e) => e.path)).toEqual(['notes']);
      for (const body of [over, twoByteChars]) {
        const event = apiEvent('POST', '/grants', { body });
        const problem = expectProblem(await call(event), event, 413);
        expect(problem.detail).toContain('256 KiB');
      }
      noWrites();
    });

    it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['multipart/form-data; boundary=x']])(
      '415: a body sent as %s',
      async (contentType) => {
        const event = apiEvent('POST', '/grants', {
          body: atelierInput(),
          headers: { 'content-type': contentType },
        });
        const problem = expectProblem(await call(event), event, 415);
        expect(problem.detail).toContain('application/json');
        noWrites();
      },
    );

    it('415: a body without Content-Type', async () => {
      const event = apiEvent('POST', `/grants/${STORED_ID}/deadlines`, {
        body: { kind: 'OTHER', title: 't', dueOn: '2026-05-01' },
      });
      delete event.headers['content-type'];
      expectProblem(await call(event), event, 415);
      noWrites();
    });

    it('accepts JSON with a charset and +json media types', async () => {
      ddb.on(TransactWriteCommand).resolves({});
      for (const contentType of [
        'application/json; charset=utf-8',
        'Application/JSON',
        'application/vnd.kk+json',
      ]) {
        const event = apiEvent('POST', '/grants', {
          body: atelierInput(),
          headers: { 'content-type': contentType },
        });
        expect((await call(event)).statusCode).toBe(201);
      }
    });

    it('422: a payment above what is left of the awarded amount, with a clear message', async () => {
      // arrange: 1000.00 EUR awarded, 600.00 received
      const { grant } = stored(
        { awarded: { amount: '1000.00', currency: 'EUR' } },
        { receivedMinor: 60_000, receivedDkkMinor: 448_200 },
      );
      ddb.on(GetCommand).resolves({ Item: grantItem(grant) });
      const event = apiEvent('POST', `/grants/${STORED_ID}/payments`, {
        body: { receivedOn: '2021-03-01', amount: { amount: '400.01', currency: 'EUR' }, kind: 'BALANCE' },
        claims: { email: 'finance@kk.dk', 'cognito:groups': '[finance]' },
      });
      // act
      const problem = expectProblem(await call(event), event, 422);
      // assert
      expect(problem.detail).toContain('at most 400.00 EUR can still be received');
      expect(problem.errors?.map((e) => e.path)).toEqual(['amount.amount']);
      noWrites();
    });

    it('422: the ceiling reached by a concurrent payment, found by the conditional write', async () => {
      const { grant } = stored({ awarded: { amount: '1000.00', currency: 'EUR' } });
      const now = { ...grant, receivedMinor: 100_000 };
      ddb
        .on(GetCommand)
        .resolvesOnce({ Item: grantItem(grant) })
        .resolves({ Item: grantItem(now) });
      ddb.on(TransactWriteCommand).rejects(
        new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
        }),
      );
      const event = apiEvent('POST', `/grants/${STORED_ID}/payments`, {
        body: { receivedOn: '2021-03-01', amount: { amount: '10.00', currency: 'EUR' }, kind: 'INTERIM' },
      });
      const problem = expectProblem(await call(event), event, 422);
      expect(problem.detail).toContain('at most 0.00 EUR can still be received');
    });

    it.each<[string, string, RequestOptions]>([
      ['a JSON null body', 'POST /grants', { body: 'null' }],
      ['a JSON array body', 'POST /grants', { body: '[]' }],
      ['a JSON string body', 'POST /grants', { body: '"ATELIER"' }],
      ['an empty body', 'POST /grants', { body: '' }],
      ['awarded as null', 'POST /grants', { body: { ...atelierInput(), awarded: null } }],
      ['a deeply nested body', 'POST /grants', { body: `${'['.repeat(5000)}${']'.repeat(5000)}` }],
      ['a lone surrogate', 'POST /grants', { body: '{"acronym": "\\ud800"}' }],
      ['a non-numeric limit', 'GET /grants', { query: { limit: 'ten' } }],
      ['a limit of 0', 'GET /grants', { query: { limit: '0' } }],
      ['a forged cursor', 'GET /grants', { query: { cursor: 'eyJ4IjoxfQ' } }],
      ['a cursor that is not base64 JSON', 'GET /grants', { query: { cursor: '%%%' } }],
      ['an unknown query parameter', 'GET /grants', { query: { sort: 'asc' } }],
      ['a reversed date range', 'GET /deadlines', { query: { from: '2026-05-01', to: '2026-04-01' } }],
      ['a date that does not exist', 'GET /deadlines', { query: { from: '2026-02-29' } }],
    ])('never a 500 for %s', async (_what, key, options) => {
      const [method = '', path = ''] = key.split(' ');
      const event = apiEvent(method, path, options);
      const result = await call(event);
      const status = result.statusCode ?? 0;
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expectProblem(result, event, status);
      noWrites();
    });

    it('refuses a path parameter that is no id', async () => {
      const event = apiEvent('GET', '/grants/abc$def');
      const problem = expectProblem(await call(event), event, 400);
      expect(problem.errors).toEqual([{ path: 'grantId', message: 'is not a valid id' }]);
      expect(ddb).not.toHaveReceivedAnyCommand();
    });
  });

  describe('failures of the store', () => {
    it('500: an unexpected failure on a read says nothing of the cause', async () => {
      // arrange
      ddb.on(QueryCommand).rejects(new Error('connect ECONNREFUSED 10.0.3.7:443 (table ledger-test)'));
      const event = apiEvent('GET', `/grants/${STORED_ID}`);
      // act
      const result = await call(event);
      // assert
      const problem = expectProblem(result, event, 500);
      expect(problem.type).toMatch(/internal-error$/);
      expect(problem.errors).toBeUndefined();
      expect(String(result.body)).not.toMatch(/ECONNREFUSED|10\.0\.3\.7|ledger-test/);
      expect(problem.detail).toContain('request id');
    });

    it('500: an unexpected failure on the write says nothing of the cause, and the Idempotency-Key can be retried', async () => {
      // arrange
      ddb
        .on(TransactWriteCommand)
        .rejectsOnce(new Error('ProvisionedThroughputExceededException: ledger-test'))
        .resolves({});
      const headers = { 'Idempotency-Key': 'import-row-20' };
      const event = apiEvent('POST', '/grants', { body: atelierInput(), headers });
      // act
      const failed = await call(event);
      const retried = await call(apiEvent('POST', '/grants', { body: atelierInput(), headers }));
      // assert
      expectProblem(failed, event, 500);
      expect(String(failed.body)).not.toMatch(/ProvisionedThroughput|ledger-test/);
      expect(retried.statusCode).toBe(201);
    });
  });
});

// ---- the meta API ----

describe('the meta API handler', () => {
  const logger = new Logger({ serviceName: 'meta-api', logLevel: 'SILENT' });
  const call = (handler: ReturnType<typeof createMetaApi>, event: ApiEvent) =>
    handler(event, lambdaContext()) as Promise<ApiResult>;

  it('answers GET /health with 200 {status: "ok"} once the store answers, without a token', async () => {
    // arrange
    const ping = vi.fn().mockResolvedValue(undefined);
    const event = apiEvent('GET', '/health', { claims: null });
    // act
    const result = await call(createMetaApi({ logger, ping }), event);
    // assert
    expect(result.statusCode).toBe(200);
    expectCommonHeaders(result, event);
    expect(jsonOf(result)).toEqual({ status: 'ok' });
    expect(ping).toHaveBeenCalledOnce();
  });

  it('answers GET /health with 503 while the store does not answer, saying nothing of why', async () => {
    const ping = vi
      .fn()
      .mockRejectedValue(new Error('ResourceNotFoundException: Requested resource not found'));
    const event = apiEvent('GET', '/health', { claims: null });
    const result = await call(createMetaApi({ logger, ping }), event);
    expect(result.statusCode).toBe(503);
    expectCommonHeaders(result, event);
    expect(result.headers['Retry-After']).toBe('3');
    expect(String(result.body)).not.toContain('ResourceNotFound');
  });

  it('serves OpenAPI 3.1 with every route of ROUTES under paths', async () => {
    // arrange
    const event = apiEvent('GET', '/openapi.json', { claims: null });
    // act
    const result = await call(createMetaApi({ logger, ping: async () => undefined }), event);
    // assert
    expect(result.statusCode).toBe(200);
    expectCommonHeaders(result, event);
    const document = jsonOf<{
      openapi: string;
      paths: Record<string, Record<string, { operationId?: string }>>;
    }>(result);
    expect(document.openapi).toMatch(/^3\.1\./);
    for (const route of ROUTES) {
      expect(document.paths[route.path]?.[route.method.toLowerCase()]?.operationId, routeKey(route)).toBe(
        route.operationId,
      );
    }
    const operations = Object.values(document.paths).flatMap((methods) => Object.keys(methods));
    expect(operations).toHaveLength(ROUTES.length);
  });

  it('does not answer the grants routes', async () => {
    const event = apiEvent('GET', '/grants');
    const result = await call(createMetaApi({ logger, ping: async () => undefined }), event);
    expectProblem(result, event, 404);
  });
});
