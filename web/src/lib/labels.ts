import { useTranslation } from 'react-i18next';
import {
  CURRENCIES,
  FORVALTNINGER,
  FUNDER_TYPES,
  forvaltningLabel,
  PROGRAMME_CODES,
} from '../../../lib/config/catalogues';
import type { Option } from '../components/ui/form';
import { DEADLINE_KINDS, GRANT_ROLES, GRANT_STATUSES, PAYMENT_KINDS } from './codes';

export { DEADLINE_KINDS, GRANT_ROLES, GRANT_STATUSES, NEXT_STATUSES, PAYMENT_KINDS } from './codes';

/**
 * The API's codes with the words people read: option lists whose values are the codes the API takes,
 * and labels from the catalogues (forvaltninger by their configured names).
 */

export { forvaltningAbbreviation, forvaltningLabel, forvaltningName } from '../../../lib/config/catalogues';

export const useCodeLabels = () => {
  const { t } = useTranslation();
  const options = (group: string, codes: readonly string[]): Option[] =>
    codes.map((code) => ({ value: code, label: t(`codes.${group}.${code}`, { defaultValue: code }) }));
  return {
    label: (group: string, code: string) => t(`codes.${group}.${code}`, { defaultValue: code }),
    forvaltninger: FORVALTNINGER.map((f) => ({ value: f.code, label: forvaltningLabel(f.code) })),
    programmes: options('programme', PROGRAMME_CODES),
    funderTypes: options('funderType', FUNDER_TYPES),
    statuses: options('status', GRANT_STATUSES),
    roles: options('role', GRANT_ROLES),
    paymentKinds: options('paymentKind', PAYMENT_KINDS),
    deadlineKinds: options('deadlineKind', DEADLINE_KINDS),
    currencies: CURRENCIES.map((c) => ({ value: c, label: c })),
  };
};
