import type { GrantDto, GrantPatch, PaymentInput } from '../domain/schemas';
import { ApiError, AuthError, type GrantsClient, TransientError } from './api-client';
import { hasPayment, patchApplied, type RowPlan } from './plan';
import type { RowError } from './rows';

/**
 * Carries out a plan through the API, row by row: POST /grants (with the row's Idempotency-Key),
 * PATCH /grants/{id} with If-Match, POST /grants/{id}/payments. A row the API refuses is reported
 * and the rest go on (a repeated import picks up where this one failed); a refused token stops all.
 */

export interface RunResult {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly paymentsRecorded: number;
  readonly errors: readonly RowError[];
  /** The grant each row ended up with, by plan index (for the report). */
  readonly grantIds: readonly (string | undefined)[];
}

export interface RunOptions {
  readonly onProgress?: (done: number, total: number) => void;
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly backoffMs?: number;
}

/**
 * Sends a request that must not simply be repeated (a PATCH, a payment). When its answer is lost,
 * the grant is read back: if the change is there it went through; if not, it is sent again.
 */
const sendVerified = async <T>(
  send: () => Promise<T>,
  wentThrough: () => Promise<T | undefined>,
  options: RunOptions,
): Promise<T> => {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= attempts) throw error;
      await sleep((options.backoffMs ?? 300) * 2 ** (attempt - 1));
      const done = await wentThrough().catch((readError: unknown) => {
        if (readError instanceof AuthError) throw readError;
        return undefined;
      });
      if (done !== undefined) return done;
    }
  }
};

export const runPlan = async (
  plans: readonly RowPlan[],
  client: GrantsClient,
  options: RunOptions = {},
): Promise<RunResult> => {
  const grantIds: (string | undefined)[] = [];
  const errors: RowError[] = [];
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  let failed = 0;
  let paymentsRecorded = 0;

  const patch = (grantId: string, version: number, change: GrantPatch) =>
    sendVerified(
      () => client.updateGrant(grantId, version, change),
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

  for (const [index, plan] of plans.entries()) {
    const { row } = plan;
    const column = (path: string) => (row.columnOf ? row.columnOf(path) : path);
    let step: 'grant' | 'payment' = 'grant';
    try {
      let grantId: string | undefined;
      if (plan.action === 'create') {
        const grant: GrantDto = await client.createGrant(row.grant, plan.idempotencyKey as string);
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
      if (plan.action === 'create') created += 1;
      else if (plan.action === 'update') updated += 1;
      else unchanged += 1;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      failed += 1;
      const field = step === 'payment' ? 'received' : '(grant)';
      const fieldErrors = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
      for (const fieldError of fieldErrors) {
        const name = step === 'payment' ? paymentColumn(fieldError.path) : column(fieldError.path);
        errors.push({ where: row.where, field: name, message: fieldError.message });
      }
      if (!fieldErrors.length) errors.push({ where: row.where, field, message: (error as Error).message });
    }
    options.onProgress?.(index + 1, plans.length);
  }
  return { created, updated, unchanged, failed, paymentsRecorded, errors, grantIds };
};

const paymentColumn = (path: string) =>
  path.startsWith('amount.currency') ? 'currency' : path.startsWith('amount') ? 'received' : path;
