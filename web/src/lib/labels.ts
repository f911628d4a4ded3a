import { useTranslation } from 'react-i18next';
import { CURRENCIES, FORVALTNINGER, FUNDER_TYPES, PROGRAMME_CODES } from '../../../lib/config/catalogues';
import type { Option } from '../components/ui/form';

/**
 * The API's codes with the words people read: option lists whose values are the codes the API takes,
 * and labels from the catalogues (forvaltninger by their configured names).
 */

export const GRANT_STATUSES = ['APPLIED', 'AWARDED', 'ACTIVE', 'CLOSED', 'REJECTED', 'TERMINATED'] as const;
export const GRANT_ROLES = ['COORDINATOR', 'PARTNER', 'ASSOCIATED'] as const;
export const PAYMENT_KINDS = ['PREFINANCING', 'INTERIM', 'BALANCE', 'OTHER'] as const;
export const DEADLINE_KINDS = [
  'PERIODIC_REPORT',
  'FINAL_REPORT',
  'DELIVERABLE',
  'MILESTONE',
  'PAYMENT_REQUEST',
  'AUDIT',
  'AMENDMENT',
  'OTHER',
] as const;

/** PRODUCT.md 2.4: the status changes a grant allows; any other is refused by the API (409). */
export const NEXT_STATUSES: Readonly<Record<string, readonly string[]>> = {
  APPLIED: ['AWARDED', 'REJECTED'],
  AWARDED: ['ACTIVE', 'TERMINATED'],
  ACTIVE: ['CLOSED', 'TERMINATED'],
};

export const forvaltningName = (code: string): string =>
  FORVALTNINGER.find((f) => f.code === code)?.name ?? code;

export const useCodeLabels = () => {
  const { t } = useTranslation();
  const options = (group: string, codes: readonly string[]): Option[] =>
    codes.map((code) => ({ value: code, label: t(`codes.${group}.${code}`, { defaultValue: code }) }));
  return {
    label: (group: string, code: string) => t(`codes.${group}.${code}`, { defaultValue: code }),
    forvaltninger: FORVALTNINGER.map((f) => ({ value: f.code, label: `${f.code} · ${f.name}` })),
    programmes: options('programme', PROGRAMME_CODES),
    funderTypes: options('funderType', FUNDER_TYPES),
    statuses: options('status', GRANT_STATUSES),
    roles: options('role', GRANT_ROLES),
    paymentKinds: options('paymentKind', PAYMENT_KINDS),
    deadlineKinds: options('deadlineKind', DEADLINE_KINDS),
    currencies: CURRENCIES.map((c) => ({ value: c, label: c })),
  };
};
