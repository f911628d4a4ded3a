import { expect } from 'vitest';
import { apiFetch } from './browser';

/** Dates relative to today in Copenhagen, so deadlines land in "the next 30 days" whenever the test runs. */
export const today = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(new Date());

export const daysFromToday = (days: number) => {
  const [y, m, d] = today().split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};

export interface GrantBody {
  readonly [field: string]: unknown;
}

export const grantBody = (acronym: string, over: GrantBody = {}): GrantBody => ({
  acronym,
  title: `${acronym} test grant`,
  programme: 'H2020',
  forvaltning: 'TMF',
  role: 'PARTNER',
  status: 'ACTIVE',
  startDate: daysFromToday(-400),
  endDate: daysFromToday(400),
  awarded: { amount: '250000.00', currency: 'EUR' },
  projectLead: { name: 'Test Lead', email: 'lead@kk.dk' },
  ...over,
});

/** Registers a grant through the API (arranging a test), returning it with its version. */
export const registerGrant = async (acronym: string, over: GrantBody = {}) => {
  const response = await apiFetch('lear-admin', '/grants', {
    method: 'POST',
    body: JSON.stringify(grantBody(acronym, over)),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as {
    grantId: string;
    version: number;
    title: string;
    deadlines: { deadlineId: string; title: string; dueOn: string; status: string; kind: string }[];
  };
};

export const getGrant = async (grantId: string) => {
  const response = await apiFetch('lear-admin', `/grants/${grantId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    grantId: string;
    version: number;
    title: string;
    status: string;
    payments: { amount: { amount: string } }[];
    deadlines: { deadlineId: string; title: string; dueOn: string; status: string; kind: string }[];
  };
};

/** Grants whose acronym or title has these words, through the API's own search. */
export const grantsMatching = async (q: string) => {
  const response = await apiFetch('lear-admin', `/grants?q=${encodeURIComponent(q)}&limit=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: { grantId: string; acronym: string }[] }).items;
};
