import forvaltningerConfig from './forvaltninger.json' with { type: 'json' };

/** A forvaltning (administration) of the municipality; the list is configuration in forvaltninger.json. */
export interface Forvaltning {
  readonly code: string;
  readonly name: string;
  /** How people write the code where it differs from the ASCII one the API uses ("ØKF" for OKF). */
  readonly abbreviation?: string;
}

export const FORVALTNINGER: readonly Forvaltning[] = forvaltningerConfig.forvaltninger;
export const FORVALTNING_CODES = FORVALTNINGER.map((f) => f.code) as [string, ...string[]];

/** The forvaltning as people write its code: "ØKF", "TMF". */
export const forvaltningAbbreviation = (code: string): string =>
  FORVALTNINGER.find((f) => f.code === code)?.abbreviation ?? code;

/** The forvaltning's name: "Økonomiforvaltningen". */
export const forvaltningName = (code: string): string =>
  FORVALTNINGER.find((f) => f.code === code)?.name ?? code;

/** Both, as lists, pages and e-mails show them: "ØKF – Økonomiforvaltningen" (the code alone if unknown). */
export const forvaltningLabel = (code: string): string => {
  const known = FORVALTNINGER.find((f) => f.code === code);
  return known ? `${known.abbreviation ?? known.code} – ${known.name}` : code;
};

export const FUNDER_TYPES = ['EU', 'DK_STATE', 'DK_REGION', 'PRIVATE', 'OTHER'] as const;
export type FunderType = (typeof FUNDER_TYPES)[number];

/** Every programme and the kind of funder behind it (PRODUCT.md 2.2). */
export const PROGRAMMES = {
  FP7: 'EU',
  H2020: 'EU',
  HORIZON_EUROPE: 'EU',
  INTERREG: 'EU',
  ERASMUS_PLUS: 'EU',
  ESF: 'EU',
  LIFE: 'EU',
  CEF: 'EU',
  DIGITAL_EUROPE: 'EU',
  EIT: 'EU',
  SSC: 'DK_STATE',
  REGIONAL: 'DK_REGION',
  FOUNDATION: 'PRIVATE',
  OTHER: 'OTHER',
} as const satisfies Record<string, FunderType>;

export type Programme = keyof typeof PROGRAMMES;
export const PROGRAMME_CODES = Object.keys(PROGRAMMES) as [Programme, ...Programme[]];

export const funderTypeOf = (programme: Programme): FunderType => PROGRAMMES[programme];

/** Programmes whose grants report per period to the EU Funding & Tenders Portal. */
export const PERIODIC_REPORTING_PROGRAMMES: ReadonlySet<Programme> = new Set(['H2020', 'HORIZON_EUROPE']);

/** Days after a reporting period's end that its report is due (H2020 / Horizon Europe: 60 days). */
export const REPORT_DUE_DAYS_AFTER_PERIOD = 60;

/** Currencies accepted on the wire. All have two minor-unit decimals (ISO 4217). */
export const CURRENCIES = ['DKK', 'EUR', 'SEK', 'NOK', 'GBP', 'USD', 'CHF', 'PLN'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Danmarks Nationalbank's central rate for EUR, applied when a EUR grant gives no rate of its own. */
export const DEFAULT_EUR_RATE = '7.46038';

/** Alert thresholds in days before the date (PRODUCT.md 3); CDK context may override them in AWS. */
export const DEFAULT_DEADLINE_ALERT_DAYS = [30, 14, 7, 1] as const;
export const DEFAULT_FUNDING_ALERT_DAYS = [90, 30] as const;

export const TIME_ZONE = 'Europe/Copenhagen';
