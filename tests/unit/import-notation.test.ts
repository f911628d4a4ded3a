import { describe, expect, it } from 'vitest';
import { delimiterEvidence, notationScope } from '../../lib/import/notation';
import { notationOf, parseAmountText, parseRateText } from '../../lib/import/numbers';
import { formatRowError, mapSheet } from '../../lib/import/rows';
import { readCsv, text } from '../../lib/import/sheet';

/**
 * Notation by evidence: ambiguous numbers ("350.000") are read by what the unambiguous cells of
 * their column, else of their file, show; refused only where that evidence conflicts or is missing.
 */

const HEADER = [
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
  'exchangeRateToDkk',
  'projectLeadName',
  'projectLeadEmail',
  'received',
  'receivedDkk',
  'receivedOn',
];

const row = (cells: Partial<Record<(typeof HEADER)[number], string>>, delimiter = ';') => {
  const base: Record<string, string> = {
    acronym: 'ATELIER',
    title: 'Positive energy districts',
    programme: 'H2020',
    forvaltning: 'TMF',
    role: 'PARTNER',
    status: 'ACTIVE',
    startDate: '01-11-2019',
    endDate: '31-10-2024',
    awarded: '',
    currency: 'EUR',
    exchangeRateToDkk: '',
    projectLeadName: 'Søren Ærø',
    projectLeadEmail: 'soren@kk.dk',
    received: '',
    receivedDkk: '',
    receivedOn: '',
  };
  return HEADER.map((column) => {
    const value = cells[column] ?? base[column] ?? '';
    return delimiter === ',' && /[,"]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }).join(delimiter);
};

const csv = (rows: string[], delimiter = ';') =>
  readCsv(new TextEncoder().encode([HEADER.join(delimiter), ...rows].join('\r\n')));

describe('what a cell proves about its notation', () => {
  it.each([
    ['665.462,5', 'danish'],
    ['1,5', 'danish'],
    ['4.971.000', 'danish'],
    ['0,655', 'danish'],
    ['4 971 000,50', 'danish'],
    ['350.000 kr.', 'danish'],
    ['4971000 kr.', 'danish'],
    ['665462.50', 'plain'],
    ['7.47', 'plain'],
    ['1,000.00', 'plain'],
    ['350.000', undefined],
    ['1,000', undefined],
    ['1500', undefined],
    ['€ 1.500', undefined],
    ['abc', undefined],
  ])('%j proves %s', (cell, notation) => {
    expect(notationOf(cell)).toBe(notation);
  });
});

describe('reading an ambiguous cell by the evidence', () => {
  const danish = notationScope([{ column: 'awarded', where: 'line 2', text: '665.462,5' }]);
  const plain = notationScope([{ column: 'awarded', where: 'line 2', text: '665462.50' }]);

  it('reads "350.000" as 350000 where Danish is shown and 350 where plain is', () => {
    expect(parseAmountText('350.000', danish.choiceFor('awarded'))).toMatchObject({
      ok: true,
      value: { amount: '350000.00' },
    });
    expect(parseAmountText('350.000', plain.choiceFor('awarded'))).toMatchObject({
      ok: true,
      value: { amount: '350.00' },
    });
    expect(parseRateText('7.460', plain.choiceFor('awarded'))).toEqual({ ok: true, value: '7.46' });
  });

  it('never reads a thousands comma, whatever the evidence', () => {
    expect(parseAmountText('1,000', plain.choiceFor('awarded'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/groups thousands with a comma.*write 1000 or 1\.000,00/),
    });
    expect(parseAmountText('1,000', danish.choiceFor('awarded'))).toMatchObject({
      ok: true,
      value: { amount: '1.00' },
    });
  });

  it('lets a column decide for itself before the file does', () => {
    // CORDIS-like: one column with decimal points, another with decimal commas, and a ';' delimiter.
    const scope = notationScope(
      [
        { column: 'ecContribution', where: 'line 2', text: '284812.5' },
        { column: 'totalCost', where: 'line 2', text: '406875,25' },
      ],
      delimiterEvidence(';'),
    );
    expect(scope.choiceFor('ecContribution').notation).toBe('plain');
    expect(scope.choiceFor('totalCost').notation).toBe('danish');
    // A column without evidence of its own takes the file's, which here conflicts.
    expect(scope.choiceFor('netEcContribution').notation).toBeUndefined();
  });
});

describe('a Danish Excel file: semicolons, decimal commas, kr.', () => {
  it('reads 350.000 kr. and a kr.-marked payment on an EUR grant, booked in DKK', () => {
    // arrange: every other number has a decimal comma, and Excel wrote ';'
    const sheet = csv([
      row({ awarded: '665.462,50', exchangeRateToDkk: '7,47' }),
      row({
        acronym: 'BLÅGRØN',
        programme: 'LIFE',
        currency: 'DKK',
        awarded: '350.000 kr.',
        received: '200.000',
        receivedOn: '15-01-2021',
      }),
      row({
        acronym: 'REFLOW',
        awarded: '280.375,50',
        received: '1.988.400,00 kr.',
        receivedOn: '01-07-2020',
      }),
    ]);
    // act
    const mapped = mapSheet(sheet);
    // assert
    expect(mapped.errors).toEqual([]);
    expect(mapped.notation).toMatch(
      /^numbers in Danish notation \(Danish notation: the ';' delimiter, line 2 awarded \("665\.462,50"\)/,
    );
    const [atelier, blaagroen, reflow] = mapped.rows;
    expect(atelier?.grant).toMatchObject({
      awarded: { amount: '665462.50', currency: 'EUR' },
      exchangeRateToDkk: '7.47',
    });
    expect(blaagroen?.grant.awarded).toEqual({ amount: '350000.00', currency: 'DKK' });
    expect(blaagroen?.payment?.amount).toEqual({ amount: '200000.00', currency: 'DKK' });
    expect(reflow?.payment).toEqual({
      receivedOn: '2020-07-01',
      amount: { amount: '1988400.00', currency: 'DKK' },
      kind: 'OTHER',
    });
  });

  it('records received with receivedDkk as paid in the grant currency with its booked DKK', () => {
    const mapped = mapSheet(
      csv([
        row({
          awarded: '665.462,50',
          received: '200.000,00',
          receivedDkk: '1.492.076,00',
          receivedOn: '15-01-2020',
        }),
      ]),
    );
    expect(mapped.errors).toEqual([]);
    expect(mapped.rows[0]?.payment).toEqual({
      receivedOn: '2020-01-15',
      amount: { amount: '200000.00', currency: 'EUR' },
      amountDkk: { amount: '1492076.00', currency: 'DKK' },
      kind: 'OTHER',
    });
  });

  it('records receivedDkk alone as a payment in DKK', () => {
    const mapped = mapSheet(
      csv([row({ awarded: '665.462,50', receivedDkk: '1.492.076,00 kr.', receivedOn: '15-01-2020' })]),
    );
    expect(mapped.rows[0]?.payment?.amount).toEqual({ amount: '1492076.00', currency: 'DKK' });
    expect(mapped.rows[0]?.payment?.amountDkk).toBeUndefined();
  });

  it('still refuses a marker that contradicts the awarded currency, or booking DKK twice', () => {
    const errors = mapSheet(
      csv([
        row({ awarded: '350.000 kr.' }),
        row({
          awarded: '1.000,00',
          received: '€ 500,00',
          receivedDkk: '€ 3.730,00',
          receivedOn: '01-01-2021',
        }),
        row({
          awarded: '1.000,00',
          received: '500,00 kr.',
          receivedDkk: '3.730,00',
          receivedOn: '01-01-2021',
        }),
      ]),
    ).errors.map(formatRowError);
    expect(errors).toEqual([
      'line 2: awarded: is marked kr. but the currency is EUR',
      'line 3: receivedDkk: is marked € but receivedDkk is in DKK',
      'line 4: receivedDkk: is given, but received is already booked in DKK ("500,00 kr.")',
    ]);
  });
});

describe('refusing where the evidence conflicts or is missing', () => {
  it('names the cells that disagree', () => {
    // A comma-separated file says nothing by its delimiter; its awarded column shows both notations.
    const errors = mapSheet(
      csv(
        [
          row({ acronym: 'A', awarded: '1,5' }, ','),
          row({ acronym: 'B', awarded: '2.5' }, ','),
          row({ acronym: 'C', awarded: '1.500' }, ','),
        ],
        ',',
      ),
    ).errors.map(formatRowError);
    expect(errors).toEqual([
      'line 4: awarded: is ambiguous: "1.500" is 1500 in Danish notation but 1.5 in plain notation, and the evidence conflicts (Danish notation: line 2 awarded ("1,5"); plain notation: line 3 awarded ("2.5")); write 1500 (or 1.500,00) or 1.50',
    ]);
  });

  it('names the file-wide evidence when the column has none', () => {
    const errors = mapSheet(csv([row({ awarded: '1.500', exchangeRateToDkk: '7.47' })])).errors.map(
      formatRowError,
    );
    expect(errors).toEqual([
      `line 2: awarded: is ambiguous: "1.500" is 1500 in Danish notation but 1.5 in plain notation, and the evidence conflicts (Danish notation: the ';' delimiter; plain notation: line 2 exchangeRateToDkk ("7.47")); write 1500 (or 1.500,00) or 1.50`,
    ]);
  });

  it('says when nothing in the file shows the notation', () => {
    const errors = mapSheet(csv([row({ awarded: '1.500' }, ',')], ',')).errors.map(formatRowError);
    expect(errors).toEqual([
      'line 2: awarded: is ambiguous: "1.500" is 1500 in Danish notation but 1.5 in plain notation, and nothing in the file shows which notation it uses; write 1500 (or 1.500,00) or 1.50',
    ]);
  });

  it('keeps XLSX number cells as the numbers they are, whatever the text around them shows', () => {
    const sheet = csv([row({ awarded: '665.462,50' })]);
    const typed = {
      ...sheet,
      rows: [
        ...sheet.rows,
        {
          line: 3,
          cells: HEADER.map((column, i) =>
            column === 'awarded'
              ? { kind: 'number' as const, text: '1.5' }
              : (sheet.rows[0]?.cells[i] ?? text('')),
          ),
        },
      ],
    };
    const mapped = mapSheet(typed);
    expect(mapped.errors).toEqual([]);
    expect(mapped.rows[1]?.grant.awarded.amount).toBe('1.50');
  });
});

describe('expected payments from a sheet', () => {
  it('reads expected and expectedOn like the other amounts, in the grant currency', async () => {
    const header = [...HEADER, 'expected', 'expectedOn', 'expectedKind'];
    const sheet = readCsv(
      new TextEncoder().encode(
        [
          header.join(';'),
          `${row({ awarded: '665.462,50' })};150.000;01-03-2027;interim`,
          `${row({ awarded: '1.000,00' })};500 kr.;01-03-2027;`,
        ].join('\n'),
      ),
    );
    const mapped = mapSheet(sheet);
    expect(mapped.errors.map(formatRowError)).toEqual([
      'line 3: expected: is marked kr. but the currency is EUR',
    ]);
    const good = mapSheet({ ...sheet, rows: sheet.rows.slice(0, 1) });
    expect(good.rows[0]?.expectedPayment).toEqual({
      expectedOn: '2027-03-01',
      amount: { amount: '150000.00', currency: 'EUR' },
      kind: 'INTERIM',
    });
  });
});
