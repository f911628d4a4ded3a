import {
  addDeadline,
  recordPayment,
  registerGrant,
  toDeadlineDto,
  toGrantDto,
  toPaymentDto,
} from '../domain/grant';
import type { DeadlineInput, GrantInput, PaymentInput } from '../domain/schemas';

/**
 * Examples for the OpenAPI document, keyed by operationId: requests as a LEAR administrator would
 * send them and responses made by the domain's own functions from those requests, so every
 * example is what the API really answers (a test validates each against its schema).
 *
 * ATELIER (H2020, TMF): EUR 665 462,50 at 7.47 is DKK 4 971 004,88 (PRODUCT.md 2.3).
 */

const context = (iso: string) => {
  let n = 0;
  const ids = ['01JF4ZQ8M0S6KX7V2B3N4C5D6E', '01JF4ZRB7Q2W3E4R5T6Y7U8I9P', '01JF4ZSC1A2S3D4F5G6H7J8K9L'];
  return { now: new Date(iso), actor: 'lear@kk.dk', newId: () => ids[n++ % ids.length] as string };
};

const grantInput: GrantInput = {
  acronym: 'ATELIER',
  title: 'AmsTErdam BiLbao cItizen drivEn smaRt cities',
  programme: 'H2020',
  forvaltning: 'TMF',
  unit: 'Byens Udvikling',
  role: 'PARTNER',
  status: 'ACTIVE',
  grantAgreementNumber: '864374',
  startDate: '2019-11-01',
  endDate: '2024-10-31',
  awarded: { amount: '665462.50', currency: 'EUR' },
  exchangeRateToDkk: '7.47',
  projectLead: { name: 'Projektleder ATELIER', email: 'atelier@kk.dk' },
  watchers: ['smartcity@kk.dk'],
  reportingPeriods: [{ endsOn: '2021-04-30' }, { endsOn: '2022-10-31' }, { endsOn: '2024-10-31' }],
};

const paymentInput: PaymentInput = {
  receivedOn: '2020-01-15',
  amount: { amount: '266185.00', currency: 'EUR' },
  kind: 'PREFINANCING',
  reference: 'H2020-864374 pre-financing',
};

const deadlineInput: DeadlineInput = {
  kind: 'DELIVERABLE',
  title: 'D2.1 Positive energy district design',
  dueOn: '2021-01-31',
};

const registered = registerGrant(grantInput, context('2019-11-04T09:30:00.000Z'));
const payment = recordPayment(registered.grant, paymentInput, context('2020-01-16T10:00:00.000Z'));
const deadline = addDeadline(registered.grant, deadlineInput, context('2020-02-03T08:15:00.000Z'));
const withPayment = {
  ...registered.grant,
  receivedMinor: payment.amount.minor,
  receivedDkkMinor: payment.amountDkkMinor,
};
const grantRead = toGrantDto(withPayment, {
  payments: [payment],
  deadlines: [...registered.deadlines, deadline],
});

export interface OperationExamples {
  readonly body?: unknown;
  readonly responses?: Readonly<Record<number, unknown>>;
}

export const EXAMPLES: Readonly<Record<string, OperationExamples>> = {
  registerGrant: {
    body: grantInput,
    responses: { 201: toGrantDto(registered.grant, { payments: [], deadlines: registered.deadlines }) },
  },
  listGrants: { responses: { 200: { items: [toGrantDto(registered.grant)], nextCursor: null } } },
  getGrant: { responses: { 200: grantRead } },
  updateGrant: { body: { status: 'CLOSED', notes: 'Final report approved by CINEA' } },
  recordPayment: { body: paymentInput, responses: { 201: toPaymentDto(payment) } },
  addDeadline: { body: deadlineInput, responses: { 201: toDeadlineDto(deadline) } },
  setDeadlineStatus: {
    body: { status: 'DONE' },
    responses: {
      200: { ...toDeadlineDto(deadline), status: 'DONE', doneOn: '2021-01-29', doneBy: 'atelier@kk.dk' },
    },
  },
  issueFeedToken: { body: { forvaltning: 'TMF', label: 'TMF deadlines' } },
  health: { responses: { 200: { status: 'ok' } } },
};
