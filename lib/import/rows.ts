import type { z } from 'zod';
import { fieldErrors } from '../api/http';
import { CURRENCIES, type Currency, FORVALTNINGER } from '../config/catalogues';
import { parseAmount } from '../domain/money';
import {
  type ExpectedPaymentInput,
  ExpectedPaymentInputSchema,
  type GrantInput,
  GrantInputSchema,
  type PaymentInput,
  PaymentInputSchema,
} from '../domain/schemas';
import { parseDateText } from './dates';
import { describeNotation, type NotationScope, notationScope } from './notation';
import {
  describeChoice,
  NO_EVIDENCE,
  type Parsed,
  parseAmountText,
  parsePlainNumber,
  parseRateText,
} from './numbers';
import { type Cell, cellText, isBlank, type Sheet } from './sheet';

/**
 * Spreadsheet rows → the API's own inputs. Every row is validated with the schemas the API uses;
 * what fails is reported as `line N: column: message`, with zod's paths named as the sheet's
 * columns (awarded.amount → awarded, projectLead.email → projectLeadEmail).
 */

export const COLUMNS = [
  'acronym',
  'title',
  'programme',
  'forvaltning',
  'unit',
  'role',
  'status',
  'grantAgreementNumber',
  'pic',
  'startDate',
  'endDate',
  'fundingEndsOn',
  'awarded',
  'currency',
  'exchangeRateToDkk',
  'projectLeadName',
  'projectLeadEmail',
  'received',
  'receivedDkk',
  'receivedOn',
  'paymentKind',
  'expected',
  'expectedOn',
  'expectedKind',
  'notes',
] as const;
export type Column = (typeof COLUMNS)[number];

const REQUIRED_COLUMNS: readonly Column[] = [
  'acronym',
  'title',
  'programme',
  'forvaltning',
  'role',
  'status',
  'startDate',
  'endDate',
  'awarded',
  'currency',
  'projectLeadName',
  'projectLeadEmail',
];

/** Which fields of a row only fill in for a new grant and never overwrite what a grant already has. */
export interface SoftFields {
  /** A default lead (the caller), not one the source names. */
  readonly projectLead?: boolean;
  /** A status derived by the importer (CORDIS: by end date): applied only where the grant may move to it. */
  readonly status?: boolean;
  /** An amount the source does not give (CORDIS `""`): 0 for a new grant, never a change. */
  readonly awarded?: boolean;
}

export interface ImportRow {
  /** Where the row is, as errors name it: "line 7" or "organization.csv line 7". */
  readonly where: string;
  readonly grant: GrantInput;
  readonly payment?: PaymentInput | undefined;
  /** A payment still to come (PRODUCT.md 2.8), in the grant's currency. */
  readonly expectedPayment?: ExpectedPaymentInput | undefined;
  readonly soft?: SoftFields;
  /** The column (or source field) to name for each grant field in errors found later. */
  readonly columnOf?: (field: string) => string;
}

export interface RowError {
  readonly where: string;
  readonly field: string;
  readonly message: string;
}

export const formatRowError = (error: RowError): string => `${error.where}: ${error.field}: ${error.message}`;

/** How a zod path of the grant or payment input is named in the sheet. */
export const sheetColumnOf = (path: string): string => {
  if (path === 'awarded' || path.startsWith('awarded.amount')) return 'awarded';
  if (path.startsWith('awarded.currency')) return 'currency';
  if (path === 'projectLead' || path.startsWith('projectLead.name')) return 'projectLeadName';
  if (path.startsWith('projectLead.email')) return 'projectLeadEmail';
  return path;
};

const paymentColumnOf = (path: string): string => {
  if (path === 'amount' || path.startsWith('amount.amount')) return 'received';
  if (path.startsWith('amount.currency')) return 'currency';
  if (path.startsWith('amountDkk')) return 'receivedDkk';
  if (path === 'kind') return 'paymentKind';
  return path;
};

const expectedColumnOf = (path: string): string => {
  if (path === 'amount' || path.startsWith('amount.amount')) return 'expected';
  if (path.startsWith('amount.currency')) return 'currency';
  if (path === 'kind') return 'expectedKind';
  return path;
};

const headerKey = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const COLUMN_BY_KEY = new Map<string, Column>(COLUMNS.map((column) => [headerKey(column), column]));

export interface ColumnIndex {
  readonly index: ReadonlyMap<Column, number>;
  /** Positions of columns without a name: a value under one is an error, not ignored. */
  readonly unnamed: readonly number[];
  /** How many columns line 1 has. */
  readonly width: number;
}

/** Header names are matched case-insensitively, ignoring spaces, underscores and hyphens. */
export const resolveColumns = (header: readonly string[]): { columns: ColumnIndex; errors: RowError[] } => {
  const errors: RowError[] = [];
  const index = new Map<Column, number>();
  const unnamed: number[] = [];
  header.forEach((name, position) => {
    if (!name.trim()) {
      unnamed.push(position);
      return;
    }
    const column = COLUMN_BY_KEY.get(headerKey(name));
    if (!column) {
      errors.push({
        where: 'line 1',
        field: name,
        message: `is not a known column; the columns are ${COLUMNS.join(', ')}`,
      });
    } else if (index.has(column)) {
      errors.push({ where: 'line 1', field: name, message: `names the column ${column} a second time` });
    } else {
      index.set(column, position);
    }
  });
  for (const column of REQUIRED_COLUMNS) {
    if (!index.has(column)) errors.push({ where: 'line 1', field: column, message: 'column is missing' });
  }
  if (index.has('expected') !== index.has('expectedOn')) {
    errors.push({
      where: 'line 1',
      field: index.has('expected') ? 'expectedOn' : 'expected',
      message: 'column is missing (expected and expectedOn go together)',
    });
  }
  const paid = index.has('received') || index.has('receivedDkk');
  if (paid !== index.has('receivedOn')) {
    errors.push({
      where: 'line 1',
      field: paid ? 'receivedOn' : 'received',
      message: paid
        ? 'column is missing (received or receivedDkk goes with receivedOn)'
        : 'column is missing (receivedOn goes with received or receivedDkk)',
    });
  }
  return { columns: { index, unnamed, width: header.length }, errors };
};

const code = (value: string) =>
  value
    .trim()
    .toUpperCase()
    .replace(/\+/g, '_PLUS')
    .replace(/[\s-]+/g, '_');

/** Programme names as people write them, besides the codes themselves. */
const PROGRAMME_ALIASES: Readonly<Record<string, string>> = {
  HORIZON_2020: 'H2020',
  DIGITAL_EUROPE_PROGRAMME: 'DIGITAL_EUROPE',
  EIT_CLIMATE_KIC: 'EIT',
  STRATEGISK_SEKTORSAMARBEJDE: 'SSC',
};

export const normaliseProgramme = (value: string): string => {
  const key = code(value);
  return PROGRAMME_ALIASES[key] ?? key;
};

/** A forvaltning by its code or its full name ("Teknik- og Miljøforvaltningen" → TMF). */
export const normaliseForvaltning = (value: string): string => {
  const trimmed = value.trim();
  const byName = FORVALTNINGER.find((f) => f.name.toLowerCase() === trimmed.toLowerCase());
  return byName ? byName.code : trimmed.toUpperCase();
};

const CURRENCY_SET: ReadonlySet<string> = new Set(CURRENCIES);

/** The grant's fields before validation: what each column contributed, or undefined. */
type Draft = Record<string, unknown>;

const stripUndefined = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

const valueAt = (value: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
      value,
    );

/** The zod issues of a schema as column errors, leaving out columns that already have one. */
const schemaErrors = (
  schema: z.ZodType,
  value: unknown,
  where: string,
  columnOf: (path: string) => string,
  already: ReadonlySet<string>,
): RowError[] => {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return [];
  const seen = new Set<string>();
  return fieldErrors(parsed.error).flatMap(({ path, message: schemaMessage }) => {
    const field = columnOf(path);
    // zod names the options but not the value: say what the cell holds.
    const given = valueAt(value, path);
    const message =
      schemaMessage.startsWith('Invalid option') && typeof given === 'string'
        ? `is "${given}"; ${schemaMessage.replace(/^Invalid option: /, '')}`
        : schemaMessage;
    const key = `${field}\u0000${message}`;
    if (already.has(field) || seen.has(key)) return [];
    seen.add(key);
    return [{ where, field, message }];
  });
};

export interface MappedRows {
  readonly rows: ImportRow[];
  readonly errors: RowError[];
  /** Lines with at least one error. */
  readonly invalidLines: number;
  /** How the numbers were read and what decided it, for the report: "numbers in Danish notation (…)". */
  readonly notation?: string | undefined;
}

/** The columns whose text is a number, read by the notation their unambiguous cells show. */
const NUMBER_COLUMNS: readonly Column[] = [
  'awarded',
  'exchangeRateToDkk',
  'received',
  'receivedDkk',
  'expected',
];

const numberScope = (sheet: Sheet, columns: ColumnIndex): NotationScope => {
  const cells = sheet.rows.flatMap((row) =>
    NUMBER_COLUMNS.flatMap((column) => {
      const cell = row.cells[columns.index.get(column) ?? -1];
      return cell?.kind === 'text' && cell.text.trim()
        ? [{ column, where: `line ${row.line}`, text: cell.text }]
        : [];
    }),
  );
  return notationScope(cells, sheet.notationEvidence);
};

/** Every non-blank row of the sheet, mapped and validated; a header error stops before the rows. */
export const mapSheet = (sheet: Sheet): MappedRows => {
  const { columns, errors: headerErrors } = resolveColumns(sheet.header);
  if (headerErrors.length) return { rows: [], errors: headerErrors, invalidLines: 1 };
  const scope = numberScope(sheet, columns);
  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  let invalidLines = 0;
  for (const sheetRow of sheet.rows) {
    if (sheetRow.cells.every((cell) => isBlank(cell))) continue;
    const mapped = mapRow(sheetRow.line, sheetRow.cells, columns, scope);
    if (mapped.errors.length) {
      invalidLines += 1;
      errors.push(...mapped.errors);
    } else if (mapped.row) {
      rows.push(mapped.row);
    }
  }
  return { rows, errors, invalidLines, notation: describeScope(scope) };
};

const describeScope = (scope: NotationScope): string | undefined => {
  const described = describeNotation(scope.file);
  return described && `${described} (${describeChoice(scope.file)})`;
};

const NO_SCOPE: NotationScope = { file: NO_EVIDENCE, choiceFor: () => NO_EVIDENCE };

export const mapRow = (
  line: number,
  cells: readonly Cell[],
  columns: ColumnIndex,
  scope: NotationScope = NO_SCOPE,
): { row?: ImportRow; errors: RowError[] } => {
  const where = `line ${line}`;
  const errors: RowError[] = [];
  const failed = new Set<string>();
  const fail = (field: string, message: string) => {
    failed.add(field);
    errors.push({ where, field, message });
  };
  const cell = (column: Column): Cell | undefined => {
    const position = columns.index.get(column);
    return position === undefined ? undefined : cells[position];
  };
  /** The cell as trimmed text, undefined when blank; an unreadable cell is an error. */
  const textOf = (column: Column): string | undefined => {
    const value = cell(column);
    if (value?.kind === 'invalid') {
      fail(column, value.message);
      return undefined;
    }
    const content = cellText(value).trim();
    return content === '' ? undefined : content;
  };
  const parsedOf = <T>(column: Column, parse: (value: Cell) => Parsed<T>): T | undefined => {
    const value = cell(column);
    if (isBlank(value) || !value) return undefined;
    if (value.kind === 'invalid') {
      fail(column, value.message);
      return undefined;
    }
    const result = parse(value);
    if (!result.ok) {
      fail(column, result.message);
      return undefined;
    }
    return result.value;
  };

  for (const position of columns.unnamed) {
    if (!isBlank(cells[position])) fail(`column ${position + 1}`, 'has a value but no column name in line 1');
  }
  for (let position = columns.width; position < cells.length; position += 1) {
    if (!isBlank(cells[position]))
      fail(`column ${position + 1}`, 'has a value beyond the last column of line 1');
  }

  const currencyText = textOf('currency')?.toUpperCase();
  const currency = currencyText && CURRENCY_SET.has(currencyText) ? (currencyText as Currency) : undefined;
  /**
   * An amount and the currency it is in. `awarded` is in the grant's currency, so its marker must
   * agree; `received` may be booked in DKK instead (marked "kr." on a grant in EUR); `receivedDkk`
   * is always DKK.
   */
  const moneyOf = (
    column: Column,
    booking: 'grant' | 'grant-or-dkk' | 'dkk',
  ): { amount: string; currency: string | undefined } | undefined => {
    const inCurrency: Currency | undefined = booking === 'dkk' ? 'DKK' : currency;
    return parsedOf<{ amount: string; currency: string | undefined }>(column, (value) => {
      if (value.kind === 'number') {
        const read = parsePlainNumber(value.text, 2);
        return read.ok ? { ok: true, value: { amount: read.value, currency: inCurrency } } : read;
      }
      if (value.kind === 'date') return { ok: false, message: `is a date (${value.iso}), not an amount` };
      const parsed = parseAmountText(cellText(value), scope.choiceFor(column));
      if (!parsed.ok) return parsed;
      const { amount, markedAs, marker } = parsed.value;
      if (!markedAs || !inCurrency || markedAs.includes(inCurrency)) {
        return { ok: true, value: { amount, currency: inCurrency } };
      }
      if (booking === 'grant-or-dkk' && markedAs.includes('DKK')) {
        return { ok: true, value: { amount, currency: 'DKK' } };
      }
      return {
        ok: false,
        message:
          booking === 'dkk'
            ? `is marked ${marker} but ${column} is in DKK`
            : booking === 'grant-or-dkk'
              ? `is marked ${marker} but the currency is ${inCurrency}; a payment is in the grant's currency or booked in DKK`
              : `is marked ${marker} but the currency is ${inCurrency}`,
      };
    });
  };
  const dateOf = (column: Column): string | undefined =>
    parsedOf(column, (value) => {
      if (value.kind === 'date') return { ok: true, value: value.iso };
      if (value.kind === 'number') {
        return {
          ok: false,
          message: `is a number (${value.text}), not a date; format the cell as a date or write 2021-05-01`,
        };
      }
      return parseDateText(cellText(value));
    });
  const rateOf = (column: Column): string | undefined =>
    parsedOf(column, (value) => {
      if (value.kind === 'number') return parsePlainNumber(value.text, 6);
      if (value.kind === 'date') return { ok: false, message: `is a date (${value.iso}), not a rate` };
      return parseRateText(cellText(value), scope.choiceFor(column));
    });

  /**
   * The payment a row records: `received` in the grant's currency (or booked in DKK when marked
   * "kr." on a grant in another currency), optionally with the DKK it was booked at in
   * `receivedDkk`; or `receivedDkk` alone, a payment in DKK. A zero is no payment.
   */
  const paymentOf = (): PaymentInput | undefined => {
    const received = moneyOf('received', 'grant-or-dkk');
    const receivedDkk = moneyOf('receivedDkk', 'dkk');
    const receivedOn = dateOf('receivedOn');
    const paymentKind = textOf('paymentKind')?.toUpperCase();
    const receivedGiven = !isBlank(cell('received')) || !isBlank(cell('receivedDkk'));
    const receivedOnGiven = !isBlank(cell('receivedOn'));
    const zero = (money: { amount: string } | undefined) =>
      money !== undefined && parseAmount(money.amount) === 0;
    if (zero(received) && (receivedDkk === undefined || zero(receivedDkk))) return undefined;
    if (received === undefined && zero(receivedDkk)) return undefined;
    if (receivedGiven && !receivedOnGiven) {
      fail('receivedOn', 'is required when received is given');
      return undefined;
    }
    if (!receivedGiven && receivedOnGiven) {
      fail('received', 'is required when receivedOn is given');
      return undefined;
    }
    if (receivedOn === undefined || (received === undefined && receivedDkk === undefined)) return undefined;
    if (received && receivedDkk && received.currency === 'DKK' && currency !== 'DKK') {
      fail(
        'receivedDkk',
        `is given, but received is already booked in DKK ("${cellText(cell('received'))}")`,
      );
      return undefined;
    }
    if (received && receivedDkk && currency === 'DKK' && received.amount !== receivedDkk.amount) {
      fail('receivedDkk', `differs from received (${received.amount} DKK) on a grant in DKK`);
      return undefined;
    }
    const paymentDraft = stripUndefined({
      receivedOn,
      amount: received ?? receivedDkk,
      amountDkk: received && receivedDkk && received.currency !== 'DKK' ? receivedDkk : undefined,
      kind: paymentKind ?? 'OTHER',
    });
    const paymentErrors = schemaErrors(PaymentInputSchema, paymentDraft, where, paymentColumnOf, failed);
    errors.push(...paymentErrors);
    return paymentErrors.length ? undefined : PaymentInputSchema.parse(paymentDraft);
  };

  /** The payment a row expects: `expected` (in the grant's currency) on `expectedOn`. A zero is none. */
  const expectedPaymentOf = (): ExpectedPaymentInput | undefined => {
    const expected = moneyOf('expected', 'grant');
    const expectedOn = dateOf('expectedOn');
    const kind = textOf('expectedKind')?.toUpperCase();
    const given = !isBlank(cell('expected'));
    const onGiven = !isBlank(cell('expectedOn'));
    if (expected !== undefined && parseAmount(expected.amount) === 0) return undefined;
    if (given !== onGiven) {
      fail(
        given ? 'expectedOn' : 'expected',
        `is required when ${given ? 'expected' : 'expectedOn'} is given`,
      );
      return undefined;
    }
    if (expected === undefined || expectedOn === undefined) return undefined;
    const draft = { expectedOn, amount: expected, kind: kind ?? 'OTHER' };
    const found = schemaErrors(ExpectedPaymentInputSchema, draft, where, expectedColumnOf, failed);
    errors.push(...found);
    return found.length ? undefined : ExpectedPaymentInputSchema.parse(draft);
  };

  const programme = textOf('programme');
  const forvaltning = textOf('forvaltning');
  const role = textOf('role');
  const status = textOf('status');
  const draft: Draft = stripUndefined({
    acronym: textOf('acronym'),
    title: textOf('title'),
    programme: programme === undefined ? undefined : normaliseProgramme(programme),
    forvaltning: forvaltning === undefined ? undefined : normaliseForvaltning(forvaltning),
    unit: textOf('unit'),
    role: role?.toUpperCase(),
    status: status?.toUpperCase(),
    grantAgreementNumber: textOf('grantAgreementNumber'),
    pic: textOf('pic'),
    startDate: dateOf('startDate'),
    endDate: dateOf('endDate'),
    fundingEndsOn: dateOf('fundingEndsOn'),
    awarded: { amount: moneyOf('awarded', 'grant')?.amount, currency: currencyText },
    exchangeRateToDkk: rateOf('exchangeRateToDkk'),
    projectLead: { name: textOf('projectLeadName'), email: textOf('projectLeadEmail') },
    notes: textOf('notes'),
  });
  errors.push(...schemaErrors(GrantInputSchema, draft, where, sheetColumnOf, failed));

  const payment = paymentOf();
  const expectedPayment = expectedPaymentOf();
  if (errors.length) return { errors };
  const grant = GrantInputSchema.parse(draft);
  if (payment) {
    if (grant.status === 'APPLIED' || grant.status === 'REJECTED') {
      return {
        errors: [
          {
            where,
            field: 'received',
            message: `a payment cannot be recorded on a grant that is ${grant.status}`,
          },
        ],
      };
    }
    if (
      payment.amount.currency === grant.awarded.currency &&
      parseAmount(payment.amount.amount) > parseAmount(grant.awarded.amount)
    ) {
      return {
        errors: [
          {
            where,
            field: 'received',
            message: `is more than the ${grant.awarded.amount} ${grant.awarded.currency} awarded`,
          },
        ],
      };
    }
  }
  if (
    expectedPayment &&
    (grant.status === 'REJECTED' || grant.status === 'CLOSED' || grant.status === 'TERMINATED')
  ) {
    return {
      errors: [
        { where, field: 'expected', message: `no payment is expected on a grant that is ${grant.status}` },
      ],
    };
  }
  return { row: { where, grant, payment, expectedPayment, columnOf: sheetColumnOf }, errors: [] };
};
