import type { GrantInput } from '../../lib/domain/schemas';

/** ATELIER as the 2020 survey describes it (afsnit 6.3.4): the grant most tests start from. */
export const atelierInput = (overrides: Partial<GrantInput> = {}): GrantInput => ({
  acronym: 'ATELIER',
  title: 'AmsTErdam BiLbao cItizen drivEn smaRt cities',
  programme: 'H2020',
  forvaltning: 'TMF',
  role: 'PARTNER',
  status: 'ACTIVE',
  grantAgreementNumber: '864374',
  startDate: '2019-11-01',
  endDate: '2024-10-31',
  awarded: { amount: '665462.50', currency: 'EUR' },
  exchangeRateToDkk: '7.47',
  projectLead: { name: 'Projektleder ATELIER', email: 'atelier@kk.dk' },
  reportingPeriods: [{ endsOn: '2021-04-30' }, { endsOn: '2022-10-31' }, { endsOn: '2024-10-31' }],
  ...overrides,
});

export const caller = { email: 'lear@kk.dk', roles: ['lear-admin'] } as const;
