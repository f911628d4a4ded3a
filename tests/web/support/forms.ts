import type { Page } from 'playwright-core';
import { daysFromToday } from './data';

/** Fills the register form by the API field names its controls carry. */
export const fillGrantForm = async (page: Page, acronym: string, leadEmail: string) => {
  const field = (name: string) => page.locator(`[name="${name}"]`);
  await field('acronym').fill(acronym);
  await field('title').fill(`${acronym}: klimatilpasning af byens rum`);
  await field('programme').selectOption('H2020');
  await field('grantAgreementNumber').fill('101234');
  await field('role').selectOption('PARTNER');
  await field('status').selectOption('ACTIVE');
  await field('forvaltning').selectOption('TMF');
  await field('projectLead.name').fill('Line Leder');
  await field('projectLead.email').fill(leadEmail);
  await page.getByRole('button', { name: 'Tilføj en der følger med' }).click();
  await field('watchers.0').fill('watcher@kk.dk');
  await field('startDate').fill(daysFromToday(-400));
  await field('endDate').fill(daysFromToday(300));
  await page.getByRole('button', { name: 'Tilføj rapporteringsperiode' }).click();
  await field('reportingPeriods.0.endsOn').fill(daysFromToday(-50));
  await page.getByRole('button', { name: 'Tilføj rapporteringsperiode' }).click();
  await field('reportingPeriods.1.endsOn').fill(daysFromToday(250));
  await field('awarded.amount').fill('665.462,50');
  await field('awarded.currency').selectOption('EUR');
};
