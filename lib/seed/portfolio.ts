import type { DeadlineInput, GrantInput, PaymentInput } from '../domain/schemas';

/**
 * The demo portfolio that local mode loads on first start: Copenhagen Municipality's externally
 * funded international projects as the municipality's own documents describe them. The data is
 * committed here; nothing reads the source documents at run time.
 *
 * Sources (seed documents, named by title and seed file name):
 * - "Afdækning af det internationale arbejde i Københavns Kommune" (2020; seed 003_ccd3edfd09460c4f),
 *   cited as "Afdækning 2020": the projects in sections 5.1 and 6, and in section 7 what each
 *   forvaltning brought home ("hjemtaget"): ØKF about 20 mio. kr. from the Strategic Sector
 *   Cooperation, KFF about 3.2 mio. (VIA) + 350,000 kr. (CREMA), TMF about 70 mio. from 20 FP7/H2020
 *   projects (Sep 2011 – Aug 2020), BIF 0.725 mio. from Region Hovedstaden.
 * - "Københavns Kommunes internationale strategi" (seed 002_e2094d7772afaafc), cited as
 *   "Internationale strategi": KK leads FORCE.
 * - kk.dk, "Internationale indsatser" (seed 000_dfd242051c50b837): the SSC cooperation with Beijing
 *   runs 2018–2022, the one with Buenos Aires began in 2019.
 * - kk.dk, "C40 – Grøn vækst netværk" (seed 001_13ed68788fd4cf27) and CSR.dk's article on DK2020
 *   (seed 004_5d9cf634e16b99ba) were read as well; they add no facts about KK's grants.
 *
 * Conventions (every grant's `notes` names the assumptions that apply to it):
 * - Scope: projects where an external funder pays for KK's part. Memberships, networks and work
 *   paid from KK's own budget (e.g. World Capital of Architecture 2023) are not grants.
 * - Dates: as the source gives them; a year alone means 1 January / 31 December, a month alone its
 *   first / last day. Dates the sources do not give are assumed and marked "assumed" in `notes`.
 * - Status as of 22 November 2026, when this data was compiled: every grant has ended, so all are
 *   CLOSED (PRODUCT.md 2.4 has no ENDED status; CLOSED is the natural end of an ACTIVE grant).
 * - Money brought home: the survey uses "hjemtaget" for money secured over a grant's whole term (the
 *   SSC's 20 mio. cover 2018–2022, two years past the survey), so each section 7 figure is read as
 *   the grant's whole contribution, awarded and paid in full. Payment dates and the split are not in
 *   the sources: payments follow one assumed schedule, 40 % pre-financing on the start date, 40 %
 *   interim payment on the first day of the month in which the term's midpoint falls, 20 % balance
 *   on the end date. The payments per forvaltning add up exactly to section 7's figures.
 * - Amounts the sources do not state are not invented: such a grant's `awarded` is a 0.00 placeholder
 *   ("Awarded recorded as 0.00" in its notes) and it has no payments, so totals hold only stated money.
 * - TMF's 70 mio. come from 20 projects of which only ATELIER has a stated amount. ATELIER carries its
 *   own 4,971,000 kr.; the grant "TMF FP7/H2020 2011–2020" carries the rest (65,029,000 kr.) and
 *   stands for the projects the survey does not itemise and for the named ones without a stated
 *   amount (FORCE, NAIAD, AI4Cities).
 * - Currency: EU programmes in EUR, Danish funders in DKK; a figure the source gives only in DKK
 *   stays in DKK. ATELIER's rate is the 6-decimal rate closest to the source's 4,971,000 kr. for
 *   665,462.50 EUR; its payments carry `amountDkk` so that they book exactly 4,971,000 kr.
 * - Role where the source does not say: PARTNER. Project leads are role mailboxes at kk.dk, never
 *   people. Grant agreement numbers and PICs are left out: the sources give none.
 * - Reporting periods only where the source gives both start and end (ATELIER, Centrinno): assumed
 *   18-month periods from the start, the last one ending on the end date.
 *
 * The survey's own figures do not reconcile: section 1 says "more than 100 mio. kr." since 2013
 * (84 mio. EU + 20 mio. SSC), section 7 adds up to about 94.3 mio. This portfolio follows section 7.
 */

export interface SeedGrant {
  readonly input: GrantInput;
  readonly payments: readonly PaymentInput[];
  readonly deadlines?: readonly DeadlineInput[];
  readonly source: string;
}

const lead = (project: string, mailbox: string): GrantInput['projectLead'] => ({
  name: `Projektleder ${project}`,
  email: `${mailbox}@kk.dk`,
});

const SCHEDULE_NOTE = 'Date and split assumed (40/40/20 schedule); the source gives only the total.';

const NO_AMOUNT = 'Amount not stated in the sources: awarded recorded as 0.00 (a placeholder, not a fact)';

export const DEMO_PORTFOLIO: readonly SeedGrant[] = [
  // ---- Økonomiforvaltningen (ØKF) ----
  {
    input: {
      acronym: 'SSC Beijing',
      title: 'Strategisk Sektorsamarbejde med Beijing om bæredygtig byudvikling',
      programme: 'SSC',
      forvaltning: 'OKF',
      unit: 'Kontoret for Vækst og Erhverv',
      role: 'COORDINATOR',
      status: 'CLOSED',
      partners: [
        'Beijing bystyre',
        'HOFOR',
        'BIOFOS',
        'Udenrigsministeriet (sektorrådgiver, Danmarks ambassade i Beijing)',
      ],
      notes:
        "Udenrigsministeriet's Strategic Sector Cooperation: climate adaptation, energy efficiency in buildings, energy and waste water, circular economy; TMF takes part. KK is the Danish authority running the cooperation, recorded as COORDINATOR. The survey gives about 20 mio. kr. over 4 years for Beijing and Buenos Aires together (7.1); the split between the two is not stated and assumed equal: 10 mio. kr. each. 2018–2022 is stated; 1 January / 31 December assumed.",
      startDate: '2018-01-01',
      endDate: '2022-12-31',
      awarded: { amount: '10000000.00', currency: 'DKK' },
      projectLead: lead('SSC Beijing', 'ssc-beijing'),
    },
    payments: [
      {
        receivedOn: '2018-01-01',
        amount: { amount: '4000000.00', currency: 'DKK' },
        kind: 'PREFINANCING',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2020-07-01',
        amount: { amount: '4000000.00', currency: 'DKK' },
        kind: 'INTERIM',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2022-12-31',
        amount: { amount: '2000000.00', currency: 'DKK' },
        kind: 'BALANCE',
        note: SCHEDULE_NOTE,
      },
    ],
    source: 'Afdækning 2020, afsnit 1, 2.1, 5.1.1 og 7.1; kk.dk Internationale indsatser',
  },
  {
    input: {
      acronym: 'SSC Buenos Aires',
      title: 'Strategisk Sektorsamarbejde med Buenos Aires om klimatilpasning, energi og spildevand',
      programme: 'SSC',
      forvaltning: 'OKF',
      unit: 'Kontoret for Vækst og Erhverv',
      role: 'COORDINATOR',
      status: 'CLOSED',
      partners: ['Buenos Aires bystyre', 'HOFOR', 'BIOFOS'],
      notes:
        "Udenrigsministeriet's Strategic Sector Cooperation: energy efficiency in public buildings, climate adaptation, energy in waste-water treatment; TMF takes part. KK is the Danish authority running the cooperation, recorded as COORDINATOR. The survey gives 2018–2022 for the SSC as a whole; kk.dk says the Buenos Aires cooperation began in 2019, so 2019-01-01 to 2022-12-31. The survey's about 20 mio. kr. for Beijing and Buenos Aires together (7.1) is split equally by assumption: 10 mio. kr. each.",
      startDate: '2019-01-01',
      endDate: '2022-12-31',
      awarded: { amount: '10000000.00', currency: 'DKK' },
      projectLead: lead('SSC Buenos Aires', 'ssc-buenosaires'),
    },
    payments: [
      {
        receivedOn: '2019-01-01',
        amount: { amount: '4000000.00', currency: 'DKK' },
        kind: 'PREFINANCING',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2020-12-01',
        amount: { amount: '4000000.00', currency: 'DKK' },
        kind: 'INTERIM',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2022-12-31',
        amount: { amount: '2000000.00', currency: 'DKK' },
        kind: 'BALANCE',
        note: SCHEDULE_NOTE,
      },
    ],
    source: 'Afdækning 2020, afsnit 1, 5.1.2 og 7.1; kk.dk Internationale indsatser',
  },
  {
    input: {
      acronym: 'Øresundsmetro',
      title: 'Øresundsmetro: undersøgelse af en metro mellem København og Malmø',
      programme: 'INTERREG',
      forvaltning: 'OKF',
      unit: 'Team Mobilitet, Center for Byudvikling',
      role: 'PARTNER',
      status: 'CLOSED',
      notes: `Studies how a metro between Copenhagen and Malmö can tie the Greater Copenhagen region together. The Interreg funding ends 31 March 2021 (stated); the project's own end is not stated, so endDate is the same day. Start not stated; assumed 2019-01-01. Role not stated; assumed PARTNER. ${NO_AMOUNT}; section 7.1 lists no Interreg money for ØKF, so no payments.`,
      startDate: '2019-01-01',
      endDate: '2021-03-31',
      fundingEndsOn: '2021-03-31',
      awarded: { amount: '0.00', currency: 'EUR' },
      projectLead: lead('Øresundsmetro', 'oresundsmetro'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.1.1',
  },
  {
    input: {
      acronym: 'EERAdata',
      title:
        'Data-driven decision-support to increase energy efficiency through renovation in European building stock',
      programme: 'H2020',
      forvaltning: 'OKF',
      unit: 'Københavns Ejendomme & Indkøb',
      role: 'PARTNER',
      status: 'CLOSED',
      callId: 'Building A Low-Carbon, Climate Resilient Future: Secure, Clean And Efficient Energy',
      partners: [
        'Technische Universität München',
        'Danmarks Tekniske Universitet',
        'HABITEC (ES)',
        'KSSENA (SI)',
        'Velenje Kommune (SI)',
        'Agencia Andaluza de la Energía',
      ],
      notes: `Develops and tests a decision tool that helps local property managers prioritise energy-efficiency measures. Forvaltning ØKF: the survey lists the project under Økonomiforvaltningen (6.1.4), and Københavns Ejendomme & Indkøb (here its Teknikenhed in Center for Vedligehold, Energi og Teknik) is a unit of ØKF; the survey lists its memberships under ØKF as well (4.1.9–4.1.11, 5.1.5). Dates not stated: in 2020 KK had taken part "for about a year", so the start is assumed 2019-07-01, with an assumed three-year term to 2022-06-30. Role not stated; assumed PARTNER. ${NO_AMOUNT}; section 7.1 lists no EU money for ØKF, so no payments.`,
      startDate: '2019-07-01',
      endDate: '2022-06-30',
      awarded: { amount: '0.00', currency: 'EUR' },
      projectLead: lead('EERAdata', 'eeradata'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.1.4',
  },
  {
    input: {
      acronym: 'Build in Wood',
      title: 'Build in Wood: workshops om træbyggeri i etagebyggeri på fire eller flere etager',
      programme: 'H2020',
      forvaltning: 'OKF',
      unit: 'Byggeri København',
      role: 'ASSOCIATED',
      status: 'CLOSED',
      partners: ['Teknologisk Institut', 'London', 'Trondheim', 'Brasov', 'Innsbruck', 'Trento'],
      notes:
        'Three workshops with international participants on building in wood. Teknologisk Institut pays all of KK\'s participation from its Horizon 2020 funds, so KK is not a beneficiary of its own: role ASSOCIATED, and awarded recorded as 0.00 because no grant money reaches KK\'s books. "A two-year period until August 2023" gives 2021-09-01 to 2023-08-31. Forvaltning ØKF: listed under Økonomiforvaltningen (6.1.2), where Byggeri København belongs.',
      startDate: '2021-09-01',
      endDate: '2023-08-31',
      awarded: { amount: '0.00', currency: 'EUR' },
      projectLead: lead('Build in Wood', 'buildinwood'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.1.2',
  },

  // ---- Kultur- og Fritidsforvaltningen (KFF) ----
  {
    input: {
      acronym: 'VIA',
      title: 'Vækst via International Arbejdskraft',
      programme: 'OTHER',
      forvaltning: 'KFF',
      role: 'PARTNER',
      status: 'CLOSED',
      partners: ['Copenhagen Capacity (lead)', 'Kalundborg Kommune'],
      notes: `Attracts and retains international labour in Region Sjælland; KFF runs introduction courses for new citizens with Kalundborg Kommune. Section 7.2 says about 3.2 mio. kr. were brought home "for VIB"; no project called VIB appears anywhere in the survey, while VIA (6.2.3, 2018–2020) is the KFF project one letter away and 7.2's other figure is CREMA's, so "VIB" is read as a typo for VIA. Awarded is that figure (3.2 mio. kr., read as the whole contribution). The funder is not stated: programme OTHER until confirmed (section 1 calls all the money brought home EU support or SSC, so probably an EU structural fund that the catalogue does not list). 2018–2020 stated; 1 January / 31 December assumed.`,
      startDate: '2018-01-01',
      endDate: '2020-12-31',
      awarded: { amount: '3200000.00', currency: 'DKK' },
      projectLead: lead('VIA', 'via'),
    },
    payments: [
      {
        receivedOn: '2018-01-01',
        amount: { amount: '1280000.00', currency: 'DKK' },
        kind: 'PREFINANCING',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2019-07-01',
        amount: { amount: '1280000.00', currency: 'DKK' },
        kind: 'INTERIM',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2020-12-31',
        amount: { amount: '640000.00', currency: 'DKK' },
        kind: 'BALANCE',
        note: SCHEDULE_NOTE,
      },
    ],
    source: 'Afdækning 2020, afsnit 6.2.3 og 7.2',
  },
  {
    input: {
      acronym: 'CREMA',
      title: 'CREative MAking for Lifelong Learning',
      programme: 'ERASMUS_PLUS',
      forvaltning: 'KFF',
      role: 'PARTNER',
      status: 'CLOSED',
      notes:
        'A three-year Erasmus+ project (2019–2022). Section 7.2 gives about 350,000 kr. brought home, read as the whole contribution; kept in DKK because the source gives no EUR figure. A three-year term inside 2019–2022 is assumed to run 2019-09-01 to 2022-08-31. Role not stated; assumed PARTNER.',
      startDate: '2019-09-01',
      endDate: '2022-08-31',
      awarded: { amount: '350000.00', currency: 'DKK' },
      projectLead: lead('CREMA', 'crema'),
    },
    payments: [
      {
        receivedOn: '2019-09-01',
        amount: { amount: '140000.00', currency: 'DKK' },
        kind: 'PREFINANCING',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2021-03-01',
        amount: { amount: '140000.00', currency: 'DKK' },
        kind: 'INTERIM',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2022-08-31',
        amount: { amount: '70000.00', currency: 'DKK' },
        kind: 'BALANCE',
        note: SCHEDULE_NOTE,
      },
    ],
    source: 'Afdækning 2020, afsnit 6.2.13 og 7.2',
  },
  {
    input: {
      acronym: 'TalenTDK',
      title: 'TalenTDK: tiltrækning, modtagelse og fastholdelse af international arbejdskraft',
      programme: 'ESF',
      forvaltning: 'KFF',
      role: 'PARTNER',
      status: 'CLOSED',
      partners: ['Copenhagen Capacity (lead)', 'Aarhus Kommune', 'Aalborg Kommune'],
      notes: `National project financed by the European Social Fund; KFF runs introduction courses and welcome days for new citizens with Aarhus and Aalborg. 2019–2022 stated; 1 January / 31 December assumed. ${NO_AMOUNT}; section 7.2 lists no money from TalenTDK, so no payments.`,
      startDate: '2019-01-01',
      endDate: '2022-12-31',
      awarded: { amount: '0.00', currency: 'DKK' },
      projectLead: lead('TalenTDK', 'talentdk'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.2.2',
  },
  {
    input: {
      acronym: 'Centrinno',
      title: 'Centrinno: bæredygtig byudvikling med nybyggeri, kreative miljøer og småindustri',
      programme: 'H2020',
      forvaltning: 'KFF',
      role: 'PARTNER',
      status: 'CLOSED',
      notes: `Methods for more sustainable urban development; activities around Rentemestervej. September 2020 to February 2024 stated. Role not stated; assumed PARTNER. Reporting periods assumed (18 months from the start). ${NO_AMOUNT}; the project began after the survey's figures (7.2), so no payments.`,
      startDate: '2020-09-01',
      endDate: '2024-02-29',
      awarded: { amount: '0.00', currency: 'EUR' },
      projectLead: lead('Centrinno', 'centrinno'),
      reportingPeriods: [{ endsOn: '2022-02-28' }, { endsOn: '2023-08-31' }, { endsOn: '2024-02-29' }],
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.2.4',
  },

  // ---- Teknik- og Miljøforvaltningen (TMF) ----
  {
    input: {
      acronym: 'ATELIER',
      title: 'ATELIER: positive energidistrikter i byen (Tunnelfabrikken og Levantkajen, Nordhavn)',
      programme: 'H2020',
      forvaltning: 'TMF',
      role: 'PARTNER',
      status: 'CLOSED',
      partners: ['Amsterdam', 'Bilbao', 'Bratislava', 'Budapest', 'Krakow', 'Matosinhos', 'Riga'],
      notes:
        "Positive energy districts; builds on EnergiLab Nordhavn. November 2019 to October 2024 and the expected EU contribution to KK, 4,971,000 kr. (665,462.5 EUR) over the five years, are stated. Rate 7.469993 is the 6-decimal rate closest to the stated pair: it converts 665,462.50 EUR to 4,971,000.22 kr. (no 6-decimal rate gives exactly 4,971,000.00); the payments book exactly 4,971,000.00 kr., so 0.22 kr. stay outstanding as a rounding difference. The whole contribution is counted inside TMF's 70 mio. (7.3). Role not stated; assumed PARTNER. Reporting periods assumed (18 months from the start).",
      startDate: '2019-11-01',
      endDate: '2024-10-31',
      awarded: { amount: '665462.50', currency: 'EUR' },
      exchangeRateToDkk: '7.469993',
      projectLead: lead('ATELIER', 'atelier'),
      reportingPeriods: [
        { endsOn: '2021-04-30' },
        { endsOn: '2022-10-31' },
        { endsOn: '2024-04-30' },
        { endsOn: '2024-10-31' },
      ],
    },
    payments: [
      {
        receivedOn: '2019-11-01',
        amount: { amount: '266185.00', currency: 'EUR' },
        amountDkk: { amount: '1988400.00', currency: 'DKK' },
        kind: 'PREFINANCING',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2022-05-01',
        amount: { amount: '266185.00', currency: 'EUR' },
        amountDkk: { amount: '1988400.00', currency: 'DKK' },
        kind: 'INTERIM',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2024-10-31',
        amount: { amount: '133092.50', currency: 'EUR' },
        amountDkk: { amount: '994200.00', currency: 'DKK' },
        kind: 'BALANCE',
        note: SCHEDULE_NOTE,
      },
    ],
    source: 'Afdækning 2020, afsnit 6.3.4 og 7.3',
  },
  {
    input: {
      acronym: 'FORCE',
      title: 'Cities Cooperating for Circular Economy',
      programme: 'H2020',
      forvaltning: 'TMF',
      role: 'COORDINATOR',
      status: 'CLOSED',
      partners: ['Hamburg', 'Lissabon'],
      notes: `KK leads the project (Internationale strategi) with Hamburg, Lisbon and universities and manufacturers: sustainable, innovative solutions for waste handling; supports the Ressource- og Affaldsplan 2018 and KBH 2025 Klimaplanen. Dates not stated in the sources; assumed 2016-09-01 to 2020-08-31 (inside TMF's Sep 2011 – Aug 2020 window). ${NO_AMOUNT}; what KK received is inside "TMF FP7/H2020 2011–2020".`,
      startDate: '2016-09-01',
      endDate: '2020-08-31',
      awarded: { amount: '0.00', currency: 'EUR' },
      projectLead: lead('FORCE', 'force'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.3.6 og 7.3; Internationale strategi (EU-projekter)',
  },
  {
    input: {
      acronym: 'NAIAD',
      title: 'Nature Insurance value: Assessment and Demonstration',
      programme: 'H2020',
      forvaltning: 'TMF',
      role: 'PARTNER',
      status: 'CLOSED',
      notes: `Demonstrated the insurance value of nature-based solutions against climate impacts; KK took part as a demonstration site focused on a rising groundwater table. Ended for KK on 31 July 2020 (stated). Start not stated; assumed 2016-12-01. Role: demonstration site, recorded as PARTNER. ${NO_AMOUNT}; what KK received is inside "TMF FP7/H2020 2011–2020".`,
      startDate: '2016-12-01',
      endDate: '2020-07-31',
      awarded: { amount: '0.00', currency: 'EUR' },
      projectLead: lead('NAIAD', 'naiad'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.3.3 og 7.3',
  },
  {
    input: {
      acronym: 'AI4Cities',
      title: 'AI4Cities: kunstig intelligens til byers klimamålsætninger (energirigtig drift)',
      programme: 'H2020',
      forvaltning: 'TMF',
      unit: 'Copenhagen Solutions Lab',
      role: 'PARTNER',
      status: 'CLOSED',
      partners: ['Forum Virium Helsinki (lead)', 'Stavanger', 'Amsterdam', 'Paris', 'Tallinn'],
      notes: `Led by Forum Virium Helsinki. The survey lists the project twice: under ØKF (6.1.5), where Københavns Ejendomme & Indkøb's Teknikenhed takes part together with Copenhagen Solutions Lab, and under TMF (6.3.2, Copenhagen Solutions Lab). Registered once, under TMF: Copenhagen Solutions Lab is named in both places and TMF administers KK's H2020 grants (7.3). Dates not stated in the source; assumed 2020-01-01 to 2022-12-31. ${NO_AMOUNT}; what KK received by August 2020 is inside "TMF FP7/H2020 2011–2020".`,
      startDate: '2020-01-01',
      endDate: '2022-12-31',
      awarded: { amount: '0.00', currency: 'EUR' },
      projectLead: lead('AI4Cities', 'ai4cities'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.1.5, 6.3.2 og 7.3',
  },
  {
    input: {
      acronym: 'EZEMCONS',
      title: 'Ecosystems for Zero Emission Machinery and Construction Sites',
      programme: 'EIT',
      forvaltning: 'TMF',
      role: 'PARTNER',
      status: 'CLOSED',
      partners: ['Oslo', 'Helsinki', 'Amsterdam', 'Budapest', 'Trondheim', 'Lissabon'],
      notes: `Cities working together for zero-emission construction sites: knowledge sharing, joint statements of demand to the market, market-dialogue guidelines. Supported by EIT Climate-KIC, the EU Big Buyers network and ICLEI. Since 2019, expected to end in 2021 (stated); 1 January / 31 December assumed. Role not stated; assumed PARTNER. ${NO_AMOUNT}; EIT Climate-KIC money is not FP7/H2020 money as section 7.3 counts it, so no payments.`,
      startDate: '2019-01-01',
      endDate: '2021-12-31',
      awarded: { amount: '0.00', currency: 'EUR' },
      projectLead: lead('EZEMCONS', 'ezemcons'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.3.6',
  },
  {
    input: {
      acronym: 'TMF FP7/H2020 2011–2020',
      title: 'TMF FP7/H2020 portfolio 2011–2020 (aggregate)',
      programme: 'H2020',
      forvaltning: 'TMF',
      unit: 'Plan, Analyse, Ressourcer og CO2-reduktion (PARC), internationalt team',
      role: 'PARTNER',
      status: 'CLOSED',
      notes:
        "Not one grant: it stands for the money TMF brought home from the 20 FP7 and Horizon 2020 projects it took part in from September 2011 to August 2020 (about 70 mio. kr., 7.3), as coordinator and as partner, for which the sources give no per-project figures. Amount: 70,000,000 kr. minus ATELIER's 4,971,000 kr., which ATELIER carries itself = 65,029,000 kr. It covers the unnamed projects and the receipts of FORCE, NAIAD and AI4Cities (and Circuit, named in 6.3.6 without further facts), whose grants are registered with a 0.00 placeholder. Recorded under H2020 although part of the money is FP7: a grant has one programme. One payment at the end of the window, because the source gives no dates.",
      startDate: '2011-09-01',
      endDate: '2020-08-31',
      awarded: { amount: '65029000.00', currency: 'DKK' },
      projectLead: { name: 'LEAR, Teknik- og Miljøforvaltningen', email: 'lear@kk.dk' },
    },
    payments: [
      {
        receivedOn: '2020-08-31',
        amount: { amount: '65029000.00', currency: 'DKK' },
        kind: 'OTHER',
        note: 'Aggregate of receipts from September 2011 to August 2020; the source gives neither dates nor instalments.',
      },
    ],
    source: 'Afdækning 2020, afsnit 2.3 og 7.3',
  },

  // ---- Beskæftigelses- og Integrationsforvaltningen (BIF) ----
  {
    input: {
      acronym: 'Copenhagen Career Program',
      title: 'Copenhagen Career Program: karriereforløb for medfølgende ægtefæller',
      programme: 'REGIONAL',
      forvaltning: 'BIF',
      unit: 'Københavns Erhvervshus',
      role: 'COORDINATOR',
      status: 'CLOSED',
      notes:
        "Co-financed with 0.725 mio. kr. of Region Hovedstaden's regional development funds, which expire at the end of 2020 (7.4); KK runs the programme itself, recorded as COORDINATOR. Start not stated; assumed 2019-01-01.",
      startDate: '2019-01-01',
      endDate: '2020-12-31',
      awarded: { amount: '725000.00', currency: 'DKK' },
      projectLead: lead('Copenhagen Career Program', 'careerprogram'),
    },
    payments: [
      {
        receivedOn: '2019-01-01',
        amount: { amount: '290000.00', currency: 'DKK' },
        kind: 'PREFINANCING',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2020-01-01',
        amount: { amount: '290000.00', currency: 'DKK' },
        kind: 'INTERIM',
        note: SCHEDULE_NOTE,
      },
      {
        receivedOn: '2020-12-31',
        amount: { amount: '145000.00', currency: 'DKK' },
        kind: 'BALANCE',
        note: SCHEDULE_NOTE,
      },
    ],
    source: 'Afdækning 2020, afsnit 6.4.1 og 7.4',
  },

  // ---- Børne- og Ungdomsforvaltningen (BUF) ----
  {
    input: {
      acronym: 'Skoleledelse BI',
      title: 'Skoleledelsesuddannelse i samarbejde med Handelshøyskolen BI, Oslo',
      programme: 'FOUNDATION',
      forvaltning: 'BUF',
      role: 'PARTNER',
      status: 'CLOSED',
      partners: ['Handelshøyskolen BI', 'Aalborg Kommune', 'A.P. Møller Fonden (funder)'],
      notes: `A leadership education for 23 of Copenhagen's school leaderships, developed with Aalborg Kommune and BI and supported by A.P. Møller Fonden. Began in 2018 and runs "to early 2021" (stated): 2018-01-01 to 2021-03-31 assumed. Role not stated; assumed PARTNER. ${NO_AMOUNT}; section 7 lists no money for BUF, so no payments.`,
      startDate: '2018-01-01',
      endDate: '2021-03-31',
      awarded: { amount: '0.00', currency: 'DKK' },
      projectLead: lead('Skoleledelse BI', 'skoleledelse'),
    },
    payments: [],
    source: 'Afdækning 2020, afsnit 6.5.1',
  },
];
