import { describe, expect, it } from 'vitest';
import {
  awardedDkkMinor,
  type ChangeContext,
  type DeadlineRecord,
  type GrantRecord,
  type PaymentRecord,
  recordPayment,
  registerGrant,
} from '../../lib/domain/grant';
import { convertMinor, parseAmount, parseRate } from '../../lib/domain/money';
import { DeadlineInputSchema, GrantInputSchema, PaymentInputSchema } from '../../lib/domain/schemas';
import { DEMO_PORTFOLIO, type SeedGrant } from '../../lib/seed/portfolio';

// What each forvaltning brought home, in kr., as "Afdækning af det internationale arbejde i
// Københavns Kommune" (2020) states it in section 7.
/** 7.1: "cirka 20 mio. kr." from the Strategic Sector Cooperation (Beijing and Buenos Aires). */
const SECTION_7_1_OKF_KR = 20_000_000;
/** 7.2: "cirka 3,2 mio. kr." for VIB (read as VIA) and "cirka 350.000 kr." through CREMA. */
const SECTION_7_2_KFF_KR = 3_200_000 + 350_000;
/** 7.3: "cirka 70 mio. kr." from 20 FP7/H2020 projects, September 2011 – August 2020. */
const SECTION_7_3_TMF_KR = 70_000_000;
/** 7.4: "0,725 mio. kr." from Region Hovedstaden: no "cirka", so it must match exactly. */
const SECTION_7_4_BIF_KR = 725_000;
/** How far a "cirka" figure may stretch before the data no longer tells the survey's story. */
const CIRKA_TOLERANCE = 0.05;

/** 6.3.4: "4.971.000 kr. (665.462,5 EUR)". */
const ATELIER_KR = 4_971_000;
const ATELIER_EUR = '665462.50';

/** The date the portfolio's statuses are stated as of (see the header of lib/seed/portfolio.ts). */
const AS_OF = '2026-11-22';

const seedContext = (): ChangeContext => {
  let counter = 0;
  return {
    now: new Date(`${AS_OF}T06:00:00.000Z`),
    actor: 'seed@kk.dk',
    newId: () => {
      counter += 1;
      return `seed-${counter.toString().padStart(4, '0')}`;
    },
  };
};

/** What the repository does to a grant when it stores a payment: the running sums the ceiling rule reads. */
const afterPayment = (grant: GrantRecord, payment: PaymentRecord): GrantRecord => ({
  ...grant,
  receivedMinor:
    grant.receivedMinor + (payment.amount.currency === grant.awarded.currency ? payment.amount.minor : 0),
  receivedDkkMinor: grant.receivedDkkMinor + payment.amountDkkMinor,
});

interface Loaded {
  readonly seed: SeedGrant;
  readonly grant: GrantRecord;
  readonly payments: readonly PaymentRecord[];
  readonly deadlines: readonly DeadlineRecord[];
}

/** Loads the portfolio the way local mode does: register each grant, then record its payments in order. */
const loadPortfolio = (): Loaded[] => {
  const ctx = seedContext();
  return DEMO_PORTFOLIO.map((seed) => {
    const registered = registerGrant(GrantInputSchema.parse(seed.input), ctx);
    let grant = registered.grant;
    const payments: PaymentRecord[] = [];
    for (const input of seed.payments) {
      const payment = recordPayment(grant, PaymentInputSchema.parse(input), ctx);
      payments.push(payment);
      grant = afterPayment(grant, payment);
    }
    return { seed, grant, payments, deadlines: registered.deadlines };
  });
};

const byAcronym = (loaded: readonly Loaded[], acronym: string): Loaded => {
  const found = loaded.find((l) => l.grant.acronym === acronym);
  if (!found) throw new Error(`no seed grant ${acronym}`);
  return found;
};

const ore = (kr: number): number => kr * 100;

describe('demo portfolio', () => {
  it('parses with the wire schemas and is already in parsed form', () => {
    for (const seed of DEMO_PORTFOLIO) {
      expect(GrantInputSchema.parse(seed.input), seed.input.acronym).toEqual(seed.input);
      for (const payment of seed.payments) {
        expect(PaymentInputSchema.parse(payment), seed.input.acronym).toEqual(payment);
      }
      for (const deadline of seed.deadlines ?? []) {
        expect(DeadlineInputSchema.parse(deadline), seed.input.acronym).toEqual(deadline);
      }
      expect(seed.source).toMatch(/^Afdækning 2020, afsnit \d/);
    }
  });

  it('is accepted by the domain: every grant registers and every payment records, in order', () => {
    // Act
    const loaded = loadPortfolio();

    // Assert
    expect(loaded).toHaveLength(DEMO_PORTFOLIO.length);
    for (const { seed, grant, payments } of loaded) {
      expect(payments).toHaveLength(seed.payments.length);
      expect(grant.receivedMinor, grant.acronym).toBeLessThanOrEqual(grant.awarded.minor);
    }
  });

  it('books each payment in DKK as the domain converts it: amountDkk if given, else at the grant rate', () => {
    for (const { seed, grant, payments } of loadPortfolio()) {
      seed.payments.forEach((input, index) => {
        const minor = parseAmount(input.amount.amount);
        const expected = input.amountDkk
          ? parseAmount(input.amountDkk.amount)
          : convertMinor(minor, grant.exchangeRateToDkk);
        expect(payments[index]?.amountDkkMinor, grant.acronym).toBe(expected);
      });
    }
  });

  it("reproduces section 7's money brought home per forvaltning", () => {
    // Arrange
    const loaded = loadPortfolio();

    // Act
    const received = new Map<string, number>();
    for (const { grant, payments } of loaded) {
      const sum = payments.reduce((total, p) => total + p.amountDkkMinor, 0);
      received.set(grant.forvaltning, (received.get(grant.forvaltning) ?? 0) + sum);
    }

    // Assert: the exact øre this data records...
    expect(Object.fromEntries([...received].filter(([, minor]) => minor > 0))).toEqual({
      OKF: 2_000_000_000,
      KFF: 355_000_000,
      TMF: 7_000_000_000,
      BIF: 72_500_000,
    });
    // ...and that it is what the survey says, as far as its "cirka" reaches.
    const cirka = [
      ['OKF', SECTION_7_1_OKF_KR],
      ['KFF', SECTION_7_2_KFF_KR],
      ['TMF', SECTION_7_3_TMF_KR],
    ] as const;
    for (const [forvaltning, kr] of cirka) {
      const off = Math.abs((received.get(forvaltning) ?? 0) - ore(kr));
      expect(off, forvaltning).toBeLessThanOrEqual(ore(kr) * CIRKA_TOLERANCE);
    }
    expect(received.get('BIF')).toBe(ore(SECTION_7_4_BIF_KR));
  });

  it("converts ATELIER's award at the 6-decimal rate closest to the source's 4,971,000 kr.", () => {
    // Arrange
    const { grant, payments } = byAcronym(loadPortfolio(), 'ATELIER');
    const target = ore(ATELIER_KR);
    const offAt = (rate: string) => Math.abs(convertMinor(grant.awarded.minor, rate) - target);
    const micro = parseRate(grant.exchangeRateToDkk);
    const asRate = (m: bigint) => `${m / 1_000_000n}.${(m % 1_000_000n).toString().padStart(6, '0')}`;

    // Assert: no 6-decimal rate gives exactly 4,971,000.00 kr.; this one misses by 22 øre, its
    // neighbours by more.
    expect(grant.awarded).toEqual({ minor: parseAmount(ATELIER_EUR), currency: 'EUR' });
    expect(awardedDkkMinor(grant)).toBe(497_100_022);
    expect(offAt(grant.exchangeRateToDkk)).toBeLessThan(offAt(asRate(micro - 1n)));
    expect(offAt(grant.exchangeRateToDkk)).toBeLessThan(offAt(asRate(micro + 1n)));
    // The payments book exactly the source's figure and exactly the awarded euros.
    expect(grant.receivedDkkMinor).toBe(target);
    expect(grant.receivedMinor).toBe(grant.awarded.minor);
    expect(payments.map((p) => p.kind)).toEqual(['PREFINANCING', 'INTERIM', 'BALANCE']);
  });

  it('gives ATELIER its partners and reporting periods, and no report deadlines since it has ended', () => {
    const { grant, deadlines } = byAcronym(loadPortfolio(), 'ATELIER');

    expect(grant.partners).toEqual([
      'Amsterdam',
      'Bilbao',
      'Bratislava',
      'Budapest',
      'Krakow',
      'Matosinhos',
      'Riga',
    ]);
    expect(grant.startDate).toBe('2019-11-01');
    expect(grant.endDate).toBe('2024-10-31');
    expect(grant.reportingPeriods.map((p) => p.endsOn)).toEqual([
      '2021-04-30',
      '2022-10-31',
      '2024-04-30',
      '2024-10-31',
    ]);
    // A grant registered as CLOSED has its reports behind it: no open report deadlines.
    expect(grant.status).toBe('CLOSED');
    expect(deadlines).toEqual([]);
  });

  it('ends the Interreg funding of the Øresundsmetro study on 2021-03-31', () => {
    const { seed, grant } = byAcronym(loadPortfolio(), 'Øresundsmetro');

    expect(seed.input.fundingEndsOn).toBe('2021-03-31');
    expect(grant.fundingEndsOn).toBe('2021-03-31');
    expect(grant.programme).toBe('INTERREG');
    expect(grant.forvaltning).toBe('OKF');
  });

  it('has unique acronyms', () => {
    const acronyms = DEMO_PORTFOLIO.map((s) => s.input.acronym.toLowerCase());
    expect(new Set(acronyms).size).toBe(acronyms.length);
  });

  it('closes only grants that have ended, and says so wherever an amount is a placeholder', () => {
    for (const { input } of DEMO_PORTFOLIO) {
      if (input.status === 'CLOSED') expect(input.endDate < AS_OF, input.acronym).toBe(true);
      if (parseAmount(input.awarded.amount) === 0) {
        expect(input.notes, input.acronym).toMatch(/awarded recorded as 0\.00/i);
      }
      expect(input.projectLead.email, input.acronym).toMatch(/@kk\.dk$/);
    }
  });
});
