import type { ExpectedPaymentInput, GrantDto, GrantInput, GrantPatch, PaymentInput } from '../domain/schemas';
import { ApiError, AuthError, type GrantsClient, TransientError } from './api-client';
import { hasExpectedPayment, hasPayment, patchApplied, type RowPlan } from './plan';
import type { RowError } from './rows';

/**
 * Carries out a plan through the API: POST /grants (with the row's Idempotency-Key), PATCH
 * /grants/{id} with If-Match, POST /grants/{id}/payments. Up to `concurrency` grants are worked on
 * at once; the rows about one grant (a row that creates it and later rows that pay into it) go in
 * file order. A row the API refuses is reported and the rest go on (a repeated import picks up
 * where this one failed); a refused token stops all.
 */

export interface RunResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly paymentsRecorded: number;
  readonly expectedPaymentsAdded: number;
  readonly errors: readonly RowError[];
  /** The grant each row ended up with, by plan index (for the report). */
  readonly grantIds: readonly (string | undefined)[];
}

export interface RunOptions {
  readonly onProgress?: (done: number, total: number) => void;
  /** Rows sent at once; rows about the same grant always go one after another, in file order. */
  readonly concurrency?: number;
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly backoffMs?: number;
}

export const DEFAULT_CONCURRENCY = 8;

const MAX_BACKOFF_MS = 8_000;
/**
 * A create is tried for longer (about 35 s): its key can stay blocked by an earlier attempt the API
 * could not clean up until that attempt's invocation would have timed out.
 */
const CREATE_ATTEMPTS = 9;

/**
 * Sends a request that must not simply be repeated (a PATCH, a payment). When its answer is lost,
 * the grant is read back: if the change is there it went through; if not, it is sent again.
 */
const sendVerified = async <T>(
  send: () => Promise<T>,
  wentThrough: () => Promise<T | undefined>,
  options: RunOptions,
  attempts = options.attempts ?? 5,
): Promise<T> => {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= attempts) throw error;
      await sleep(Math.min(MAX_BACKOFF_MS, (options.backoffMs ?? 300) * 2 ** (attempt - 1)));
      const done = await wentThrough().catch((readError: unknown) => {
        if (readError instanceof AuthError) throw readError;
        return undefined;
      });
      if (done !== undefined) return done;
    }
  }
};

/** The grant a create would have registered, found as planning matches grants (see plan.ts). */
const findRegistered = async (client: GrantsClient, input: GrantInput): Promise<GrantDto | undefined> => {
  const candidates = await client.listGrants(undefined, {
    forvaltning: input.forvaltning,
    programme: input.programme,
  });
  return candidates.find((grant) =>
    input.grantAgreementNumber
      ? grant.grantAgreementNumber === input.grantAgreementNumber
      : !grant.grantAgreementNumber &&
        grant.acronym.toLowerCase() === input.acronym.toLowerCase() &&
        grant.startDate === input.startDate,
  );
};

/** The rows of the plan grouped by the grant they are about, each group in file order. */
const groupsOf = (plans: readonly RowPlan[]): number[][] => {
  const groupOf: number[] = [];
  const groups: number[][] = [];
  const byGrant = new Map<string, number>();
  plans.forEach((plan, index) => {
    let group: number | undefined;
    if (plan.target && 'createdBy' in plan.target) group = groupOf[plan.target.createdBy];
    else if (plan.target) group = byGrant.get(plan.target.grantId);
    if (group === undefined) {
      group = groups.length;
      groups.push([]);
      if (plan.target && 'grantId' in plan.target) byGrant.set(plan.target.grantId, group);
    }
    groupOf[index] = group;
    groups[group]?.push(index);
  });
  return groups;
};

export const runPlan = async (
  plans: readonly RowPlan[],
  client: GrantsClient,
  options: RunOptions = {},
): Promise<RunResult> => {
  const grantIds: (string | undefined)[] = [];
  const errors: { index: number; error: RowError }[] = [];
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  let failed = 0;
  let paymentsRecorded = 0;
  let expectedPaymentsAdded = 0;
  let done = 0;

  const patch = (grantId: string, version: number, change: GrantPatch) =>
    sendVerified(
      () =>
        client.updateGrant(grantId, version, change).catch(async (error: unknown) => {
          // A repeat of a PATCH that went through meets its own new version: read the grant back.
          if (error instanceof ApiError && error.status === 412) {
            const grant = await client.getGrant(grantId);
            if (grant.version > version && patchApplied(grant, change)) return grant;
          }
          throw error;
        }),
      async () => {
        const grant = await client.getGrant(grantId);
        return grant.version > version && patchApplied(grant, change) ? grant : undefined;
      },
      options,
    );

  const pay = (grantId: string, payment: PaymentInput) =>
    sendVerified(
      () => client.recordPayment(grantId, payment).then(() => true),
      async () => (hasPayment(await client.getGrant(grantId), payment) ? true : undefined),
      options,
    );

  const expect = (grantId: string, expected: ExpectedPaymentInput) =>
    sendVerified(
      () => client.addExpectedPayment(grantId, expected).then(() => true),
      async () => (hasExpectedPayment(await client.getGrant(grantId), expected) ? true : undefined),
      options,
    );

  const runRow = async (index: number) => {
    const plan = plans[index] as RowPlan;
    const { row } = plan;
    const column = (path: string) => (row.columnOf ? row.columnOf(path) : path);
    let step: 'grant' | 'payment' | 'expected' = 'grant';
    try {
      let grantId: string | undefined;
      if (plan.action === 'create') {
        const key = plan.idempotencyKey as string;
        // A create whose answer is lost is looked for in the register before it is sent again.
        const grant: GrantDto = await sendVerified(
          () => client.createGrant(row.grant, key),
          () => findRegistered(client, row.grant),
          options,
          options.attempts ?? CREATE_ATTEMPTS,
        );
        grantId = grant.grantId;
      } else if (plan.target && 'createdBy' in plan.target) {
        grantId = grantIds[plan.target.createdBy];
        if (!grantId) {
          const creator = plans[plan.target.createdBy]?.row.where ?? 'an earlier row';
          throw new ApiError(0, undefined, `not imported: ${creator}, which registers this grant, failed`);
        }
      } else if (plan.target) {
        grantId = plan.target.grantId;
        let version = plan.target.version;
        for (const change of plan.patches) version = (await patch(grantId, version, change)).version;
      }
      grantIds[index] = grantId;
      if (plan.payment && grantId) {
        step = 'payment';
        await pay(grantId, plan.payment);
        paymentsRecorded += 1;
      }
      if (plan.expectedPayment && grantId) {
        step = 'expected';
        await expect(grantId, plan.expectedPayment);
        expectedPaymentsAdded += 1;
      }
      if (plan.action === 'create') created += 1;
      else if (plan.action === 'update') updated += 1;
      else unchanged += 1;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      failed += 1;
      const field = step === 'payment' ? 'received' : step === 'expected' ? 'expected' : '(grant)';
      const fieldErrors = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
      for (const fieldError of fieldErrors) {
        const name =
          step === 'grant'
            ? column(fieldError.path)
            : paymentColumn(fieldError.path, step === 'payment' ? 'received' : 'expected');
        errors.push({ index, error: { where: row.where, field: name, message: fieldError.message } });
      }
      if (!fieldErrors.length)
        errors.push({ index, error: { where: row.where, field, message: (error as Error).message } });
    }
    done += 1;
    options.onProgress?.(done, plans.length);
  };

  const groups = groupsOf(plans);
  let next = 0;
  let stopped: unknown;
  const worker = async () => {
    while (stopped === undefined && next < groups.length) {
      const group = groups[next++] as number[];
      for (const index of group) {
        if (stopped !== undefined) return;
        await runRow(index).catch((error: unknown) => {
          stopped ??= error;
        });
      }
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, groups.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (stopped !== undefined) throw stopped;
  return {
    created,
    updated,
    unchanged,
    failed,
    paymentsRecorded,
    expectedPaymentsAdded,
    // In file order, whatever order the answers came in.
    errors: errors.sort((a, b) => a.index - b.index).map((e) => e.error),
    grantIds,
  };
};

const paymentColumn = (path: string, amountColumn: string) =>
  path.startsWith('amount.currency')
    ? 'currency'
    : path.startsWith('amountDkk')
      ? 'receivedDkk'
      : path.startsWith('amount')
        ? amountColumn
        : path;
