import { canTransition, resolveRate, TAKES_PAYMENTS } from '../domain/grant';
import { formatAmount, normaliseRate, parseAmount } from '../domain/money';
import {
  type ExpectedPaymentDto,
  type ExpectedPaymentInput,
  type GrantDto,
  type GrantInput,
  type GrantPatch,
  type GrantStatus,
  GrantStatusSchema,
  type PaymentDto,
  type PaymentInput,
} from '../domain/schemas';
import type { ImportRow, RowError } from './rows';

/**
 * What an import would do, decided before anything is written: each valid row becomes a create,
 * an update (the changed fields, with If-Match) or nothing, and a payment when the grant does not
 * have it yet. Rows that contradict the register's rules or each other are errors here, so that a
 * file with any of them writes nothing at all.
 *
 * A row matches a grant by programme + grantAgreementNumber, else by acronym (in any case) +
 * forvaltning + startDate among grants whose agreement number is absent or the same. An empty
 * optional cell leaves the grant's value as it is; it never clears it.
 */

export type Target =
  | { readonly grantId: string; readonly version: number }
  /** A grant created by an earlier row of this import (its index in the plan). */
  | { readonly createdBy: number };

export interface RowPlan {
  readonly row: ImportRow;
  readonly action: 'create' | 'update' | 'unchanged';
  readonly target?: Target;
  /** Applied in order, each with If-Match; more than one only where a status moves in steps. */
  readonly patches: readonly GrantPatch[];
  readonly payment?: PaymentInput | undefined;
  /** Added after the payment, when the grant has no expected payment on that date for that amount. */
  readonly expectedPayment?: ExpectedPaymentInput | undefined;
  /** What changes, for people: "title", "status AWARDED → ACTIVE → CLOSED", "payment …". */
  readonly changes: readonly string[];
  /** For POST /grants, derived from the row: a retried request cannot create a second grant. */
  readonly idempotencyKey?: string;
}

export interface Plan {
  readonly rows: readonly RowPlan[];
  readonly errors: readonly RowError[];
  /** Rows with at least one error. */
  readonly invalidLines: number;
}

export interface PlanPorts {
  /** The payments of an existing grant (GET /grants/{id}); asked only for grants that need them. */
  loadPayments(grantId: string): Promise<readonly PaymentDto[]>;
  /** The expected payments of an existing grant; asked only for rows that expect one. */
  loadExpectedPayments?(grantId: string): Promise<readonly ExpectedPaymentDto[]>;
  onProgress?(done: number, total: number): void;
}

/** A grant's fields as the import compares them: defaults resolved, rates normalised. */
interface Comparable {
  acronym: string;
  title: string;
  programme: GrantInput['programme'];
  forvaltning: string;
  unit?: string | undefined;
  role: GrantInput['role'];
  status: GrantStatus;
  grantAgreementNumber?: string | undefined;
  pic?: string | undefined;
  startDate: string;
  endDate: string;
  fundingEndsOn: string;
  awarded: { amount: string; currency: string };
  /** Undefined for DKK. */
  exchangeRateToDkk?: string | undefined;
  projectLead: { name: string; email: string };
  notes?: string | undefined;
}

interface PaymentKey {
  readonly receivedOn: string;
  readonly minor: number;
  readonly currency: string;
}

interface Subject {
  readonly target: Target;
  state: Comparable;
  /** Payments in the register plus those this import records; undefined until loaded. */
  payments?: PaymentKey[];
  /** Expected payments likewise (with their status); undefined until loaded. */
  expected?: ExpectedKey[];
  /** The row that already spoke for this grant in this import. */
  claimedBy?: string;
}

const comparableOfGrant = (grant: GrantDto): Comparable => ({
  acronym: grant.acronym,
  title: grant.title,
  programme: grant.programme,
  forvaltning: grant.forvaltning,
  unit: grant.unit,
  role: grant.role,
  status: grant.status,
  grantAgreementNumber: grant.grantAgreementNumber,
  pic: grant.pic,
  startDate: grant.startDate,
  endDate: grant.endDate,
  fundingEndsOn: grant.fundingEndsOn,
  awarded: { ...grant.awarded },
  exchangeRateToDkk: normaliseRate(grant.exchangeRateToDkk),
  projectLead: { ...grant.projectLead },
  notes: grant.notes,
});

const comparableOfInput = (input: GrantInput): Comparable => ({
  acronym: input.acronym,
  title: input.title,
  programme: input.programme,
  forvaltning: input.forvaltning,
  unit: input.unit,
  role: input.role,
  status: input.status,
  grantAgreementNumber: input.grantAgreementNumber,
  pic: input.pic,
  startDate: input.startDate,
  endDate: input.endDate,
  fundingEndsOn: input.fundingEndsOn ?? input.endDate,
  awarded: { amount: formatAmount(parseAmount(input.awarded.amount)), currency: input.awarded.currency },
  exchangeRateToDkk: resolveRate(input.awarded, input.exchangeRateToDkk),
  projectLead: { ...input.projectLead },
  notes: input.notes,
});

const paymentKeyOf = (payment: Pick<PaymentDto, 'receivedOn' | 'amount'>): PaymentKey => ({
  receivedOn: payment.receivedOn,
  minor: parseAmount(payment.amount.amount),
  currency: payment.amount.currency,
});

interface ExpectedKey {
  readonly expectedOn: string;
  readonly minor: number;
  readonly currency: string;
  readonly open: boolean;
}

const expectedKeyOf = (
  expected: Pick<ExpectedPaymentDto, 'expectedOn' | 'amount'> & { status?: string },
): ExpectedKey => ({
  expectedOn: expected.expectedOn,
  minor: parseAmount(expected.amount.amount),
  currency: expected.amount.currency,
  open: (expected.status ?? 'OPEN') === 'OPEN',
});

/** An expected payment is there already when one of any status names the same date and amount. */
export const hasExpectedPayment = (grant: GrantDto, expected: ExpectedPaymentInput): boolean => {
  const key = expectedKeyOf(expected);
  return (grant.expectedPayments ?? []).some((e) => {
    const other = expectedKeyOf(e);
    return (
      other.expectedOn === key.expectedOn && other.minor === key.minor && other.currency === key.currency
    );
  });
};

const samePayment = (a: PaymentKey, b: PaymentKey) =>
  a.receivedOn === b.receivedOn && a.minor === b.minor && a.currency === b.currency;

const STATUSES = GrantStatusSchema.options;

/** The shortest chain of allowed status changes from one status to another, or undefined. */
export const statusPath = (from: GrantStatus, to: GrantStatus): GrantStatus[] | undefined => {
  if (from === to) return [];
  const previous = new Map<GrantStatus, GrantStatus>();
  const queue: GrantStatus[] = [from];
  while (queue.length) {
    const current = queue.shift() as GrantStatus;
    for (const next of STATUSES) {
      if (next === from || previous.has(next) || !canTransition(current, next)) continue;
      previous.set(next, current);
      if (next === to) {
        const path: GrantStatus[] = [to];
        for (let at = previous.get(to); at && at !== from; at = previous.get(at)) path.unshift(at);
        return path;
      }
      queue.push(next);
    }
  }
  return undefined;
};

interface Diff {
  readonly patch: GrantPatch;
  readonly fields: string[];
}

const SIMPLE_FIELDS = [
  'acronym',
  'title',
  'programme',
  'forvaltning',
  'role',
  'startDate',
  'endDate',
] as const;
const OPTIONAL_FIELDS = ['unit', 'grantAgreementNumber', 'pic', 'fundingEndsOn', 'notes'] as const;

/** The fields (status aside) in which a row differs from a grant; an empty optional cell is no difference. */
const diffFields = (state: Comparable, row: ImportRow): Diff => {
  const input = row.grant;
  const patch: Record<string, unknown> = {};
  for (const field of SIMPLE_FIELDS) {
    if (input[field] !== state[field]) patch[field] = input[field];
  }
  for (const field of OPTIONAL_FIELDS) {
    if (input[field] !== undefined && input[field] !== state[field]) patch[field] = input[field];
  }
  if (
    !row.soft?.awarded &&
    (input.awarded.currency !== state.awarded.currency ||
      parseAmount(input.awarded.amount) !== parseAmount(state.awarded.amount))
  ) {
    // A new currency without a rate of its own: the API resolves it (EUR's default rate).
    patch.awarded = input.awarded;
  }
  if (
    input.exchangeRateToDkk !== undefined &&
    normaliseRate(input.exchangeRateToDkk) !== state.exchangeRateToDkk
  ) {
    patch.exchangeRateToDkk = input.exchangeRateToDkk;
  }
  if (
    !row.soft?.projectLead &&
    (input.projectLead.name !== state.projectLead.name || input.projectLead.email !== state.projectLead.email)
  ) {
    patch.projectLead = input.projectLead;
  }
  return { patch: patch as GrantPatch, fields: Object.keys(patch) };
};

const applyPatch = (state: Comparable, patch: GrantPatch): Comparable => {
  const next = { ...state, ...(patch as Partial<Comparable>) };
  if (patch.awarded || patch.exchangeRateToDkk !== undefined) {
    // As the API does it: a given rate, else the old one for the same currency, else the new currency's.
    next.exchangeRateToDkk = patch.exchangeRateToDkk
      ? normaliseRate(patch.exchangeRateToDkk)
      : next.awarded.currency === state.awarded.currency
        ? state.exchangeRateToDkk
        : resolveRate(next.awarded as GrantInput['awarded'], undefined);
  }
  if (patch.endDate && !patch.fundingEndsOn && state.fundingEndsOn === state.endDate) {
    next.fundingEndsOn = patch.endDate;
  }
  return next;
};

/** Whether a grant already shows everything a patch asks for (to tell whether a lost request went through). */
export const patchApplied = (grant: GrantDto, patch: GrantPatch): boolean => {
  const state = comparableOfGrant(grant);
  return Object.entries(patch).every(([field, value]) => {
    if (field === 'awarded') {
      const money = value as GrantInput['awarded'];
      return (
        money.currency === state.awarded.currency &&
        parseAmount(money.amount) === parseAmount(state.awarded.amount)
      );
    }
    if (field === 'exchangeRateToDkk') return normaliseRate(value as string) === state.exchangeRateToDkk;
    return JSON.stringify(value) === JSON.stringify(state[field as keyof Comparable]);
  });
};

export const hasPayment = (grant: GrantDto, payment: PaymentInput): boolean =>
  (grant.payments ?? []).some((p) => samePayment(paymentKeyOf(p), paymentKeyOf(payment)));

/** Deterministic per row content: the same row always sends the same key (Web Crypto: Node and browsers). */
export const idempotencyKeyOf = async (input: GrantInput): Promise<string> => {
  const canonical = JSON.stringify(input, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : value,
  );
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `import-${hex.slice(0, 48)}`;
};

const describeExpected = (expected: ExpectedPaymentInput) =>
  `expected ${expected.expectedOn} ${expected.amount.amount} ${expected.amount.currency}`;

const describePayment = (payment: PaymentInput) =>
  `payment ${payment.receivedOn} ${payment.amount.amount} ${payment.amount.currency}${payment.amountDkk ? ` (booked ${payment.amountDkk.amount} DKK)` : ''}`;

const money = (minor: number, currency: string) => `${formatAmount(minor)} ${currency}`;

export const planImport = async (
  rows: readonly ImportRow[],
  existing: readonly GrantDto[],
  ports: PlanPorts,
): Promise<Plan> => {
  const subjects: Subject[] = existing.map((grant) => ({
    target: { grantId: grant.grantId, version: grant.version },
    state: comparableOfGrant(grant),
  }));
  const plans: RowPlan[] = [];
  const errors: RowError[] = [];
  let invalidLines = 0;

  const matches = (input: GrantInput): Subject[] => {
    if (input.grantAgreementNumber) {
      const byAgreement = subjects.filter(
        (s) =>
          s.state.programme === input.programme &&
          s.state.grantAgreementNumber === input.grantAgreementNumber,
      );
      if (byAgreement.length) return byAgreement;
    }
    return subjects.filter(
      (s) =>
        s.state.acronym.toLowerCase() === input.acronym.toLowerCase() &&
        s.state.forvaltning === input.forvaltning &&
        s.state.startDate === input.startDate &&
        (!input.grantAgreementNumber ||
          !s.state.grantAgreementNumber ||
          s.state.grantAgreementNumber === input.grantAgreementNumber),
    );
  };

  const expectedOf = async (subject: Subject): Promise<ExpectedKey[]> => {
    if (!subject.expected) {
      const target = subject.target as { grantId: string };
      const loaded = ports.loadExpectedPayments ? await ports.loadExpectedPayments(target.grantId) : [];
      subject.expected = loaded.map(expectedKeyOf);
    }
    return subject.expected;
  };

  /**
   * The row's expected payment, if the grant does not have it yet; errors where the API would refuse
   * it (a grant that takes no payments, more expected than is left of the awarded amount).
   */
  const plannedExpected = async (
    row: ImportRow,
    subject: Subject,
    after: Comparable,
    received: readonly PaymentKey[],
    fail: (field: string, message: string) => void,
  ): Promise<ExpectedPaymentInput | undefined> => {
    const wanted = row.expectedPayment;
    if (!wanted) return undefined;
    const key = expectedKeyOf(wanted);
    const expected = await expectedOf(subject);
    if (
      expected.some(
        (e) => e.expectedOn === key.expectedOn && e.minor === key.minor && e.currency === key.currency,
      )
    ) {
      return undefined;
    }
    if (!TAKES_PAYMENTS.has(after.status)) {
      fail('expected', `no payment is expected on a grant that is ${after.status}`);
      return undefined;
    }
    if (key.currency !== after.awarded.currency) {
      fail(
        'expected',
        `is in ${key.currency}, but an expected payment is in the grant's currency, ${after.awarded.currency}`,
      );
      return undefined;
    }
    const inCurrency = (minor: number, k: { currency: string }) => (k.currency === key.currency ? minor : 0);
    const receivedMinor = received.reduce((sum, p) => sum + inCurrency(p.minor, p), 0);
    const openMinor = expected.filter((e) => e.open).reduce((sum, e) => sum + inCurrency(e.minor, e), 0);
    const room = parseAmount(after.awarded.amount) - receivedMinor;
    if (openMinor + key.minor > room) {
      fail(
        'expected',
        `would bring the open expected payments to ${money(openMinor + key.minor, key.currency)}, more than the ${money(Math.max(0, room), key.currency)} still to come of the ${money(parseAmount(after.awarded.amount), key.currency)} awarded`,
      );
      return undefined;
    }
    expected.push({ ...key, open: true });
    return wanted;
  };

  const paymentsOf = async (subject: Subject): Promise<PaymentKey[]> => {
    if (!subject.payments) {
      const target = subject.target as { grantId: string };
      subject.payments = (await ports.loadPayments(target.grantId)).map(paymentKeyOf);
    }
    return subject.payments;
  };

  for (const [index, row] of rows.entries()) {
    ports.onProgress?.(index, rows.length);
    const column = (field: string) => (row.columnOf ? row.columnOf(field) : field);
    const rowErrors: RowError[] = [];
    const fail = (field: string, message: string) =>
      rowErrors.push({ where: row.where, field: column(field), message });
    const input = row.grant;
    const found = matches(input);

    if (found.length > 1) {
      const ids = found.map((s) =>
        'grantId' in s.target ? s.target.grantId : `the grant of ${s.claimedBy}`,
      );
      fail(
        input.grantAgreementNumber ? 'grantAgreementNumber' : 'acronym',
        `matches ${found.length} grants (${ids.join(', ')}); make them distinguishable before importing`,
      );
    }
    const subject = found.length === 1 ? found[0] : undefined;

    if (!subject && found.length === 0) {
      const created: Subject = {
        target: { createdBy: plans.length },
        state: comparableOfInput(input),
        payments: [],
        expected: [],
        claimedBy: row.where,
      };
      if (row.payment) created.payments?.push(paymentKeyOf(row.payment));
      const expectedPayment = await plannedExpected(
        row,
        created,
        created.state,
        created.payments ?? [],
        fail,
      );
      if (!rowErrors.length) {
        subjects.push(created);
        plans.push({
          row,
          action: 'create',
          patches: [],
          payment: row.payment,
          expectedPayment,
          changes: [
            `${input.acronym} (${input.programme}, ${input.forvaltning}, ${input.awarded.amount} ${input.awarded.currency})`,
            ...(row.payment ? [describePayment(row.payment)] : []),
            ...(expectedPayment ? [describeExpected(expectedPayment)] : []),
          ],
          idempotencyKey: await idempotencyKeyOf(input),
        });
        continue;
      }
    }

    if (subject) {
      const { patch, fields } = diffFields(subject.state, row);
      if (subject.claimedBy && fields.length) {
        for (const field of fields)
          fail(field, `differs from ${subject.claimedBy}, which describes the same grant`);
      }

      let path: GrantStatus[] = [];
      if (input.status !== subject.state.status) {
        const steps = statusPath(subject.state.status, input.status);
        if (steps && subject.claimedBy) {
          fail('status', `differs from ${subject.claimedBy}, which describes the same grant`);
        } else if (steps) {
          path = steps;
        } else if (!row.soft?.status) {
          fail(
            'status',
            `the grant is ${subject.state.status} and cannot become ${input.status}; change its status by hand if the sheet is right`,
          );
        }
      }

      const exists = 'grantId' in subject.target;
      const after = applyPatch(subject.state, { ...patch, ...(path.length ? { status: input.status } : {}) });
      const needsPayments =
        exists &&
        (row.payment !== undefined || row.expectedPayment !== undefined || patch.awarded !== undefined);
      const payments = needsPayments || !exists ? await paymentsOf(subject) : [];
      if (patch.awarded) {
        const inCurrency = payments.filter((p) => p.currency === subject.state.awarded.currency);
        const received = inCurrency.reduce((sum, p) => sum + p.minor, 0);
        if (patch.awarded.currency !== subject.state.awarded.currency && payments.length) {
          fail(
            'currency',
            `cannot change from ${subject.state.awarded.currency}: payments are recorded against it`,
          );
        } else if (parseAmount(patch.awarded.amount) < received) {
          fail(
            'awarded',
            `is less than the ${money(received, subject.state.awarded.currency)} already received`,
          );
        }
      }

      let payment: PaymentInput | undefined;
      if (row.payment) {
        const key = paymentKeyOf(row.payment);
        if (!payments.some((p) => samePayment(p, key))) {
          payment = row.payment;
          const received = payments
            .filter((p) => p.currency === after.awarded.currency)
            .reduce((sum, p) => sum + p.minor, 0);
          const awardedMinor = parseAmount(after.awarded.amount);
          if (!TAKES_PAYMENTS.has(after.status)) {
            fail('received', `a payment cannot be recorded on a grant that is ${after.status}`);
          } else if (key.currency === after.awarded.currency && received + key.minor > awardedMinor) {
            fail(
              'received',
              `would bring the total received to ${money(received + key.minor, key.currency)}, above the ${money(awardedMinor, key.currency)} awarded (the grant already has ${money(received, key.currency)})`,
            );
          }
        }
      }

      const receivedAfter = payment ? [...payments, paymentKeyOf(payment)] : payments;
      const expectedPayment = await plannedExpected(row, subject, after, receivedAfter, fail);

      if (!rowErrors.length) {
        const patches: GrantPatch[] = [];
        const [firstStatus, ...laterStatuses] = path;
        if (fields.length || firstStatus)
          patches.push({ ...patch, ...(firstStatus ? { status: firstStatus } : {}) });
        for (const status of laterStatuses) patches.push({ status });
        const changes = [
          ...fields,
          ...(path.length ? [`status ${[subject.state.status, ...path].join(' → ')}`] : []),
          ...(payment ? [describePayment(payment)] : []),
          ...(expectedPayment ? [describeExpected(expectedPayment)] : []),
        ];
        subject.state = after;
        subject.claimedBy ??= row.where;
        if (payment) payments.push(paymentKeyOf(payment));
        plans.push({
          row,
          action: patches.length || payment || expectedPayment ? 'update' : 'unchanged',
          target: subject.target,
          patches,
          payment,
          expectedPayment,
          changes,
        });
        continue;
      }
    }
    invalidLines += 1;
    errors.push(...rowErrors);
  }
  ports.onProgress?.(rows.length, rows.length);
  return { rows: plans, errors, invalidLines };
};
