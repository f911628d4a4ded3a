import type { AlertDetailType, EventDetail } from '../../events/contracts';
import { forvaltningLabel } from '../../lib/config/catalogues';

/**
 * The alert e-mail, Danish first and English below, as plain text. Pure: the same alert always
 * gives the same e-mail, so a test reads exactly what a project lead will read.
 */

export type AlertDetail =
  | EventDetail<'DeadlineApproaching'>
  | EventDetail<'DeadlineMissed'>
  | EventDetail<'GrantExpiring'>
  | EventDetail<'GrantExpired'>
  | EventDetail<'PaymentOverdue'>;

export interface AlertMessage {
  readonly subject: string;
  readonly text: string;
}

type Deadline = EventDetail<'DeadlineApproaching'>['deadline'];
type Grant = AlertDetail['grant'];

export const DEADLINE_KINDS: Readonly<Record<Deadline['kind'], { da: string; en: string }>> = {
  PERIODIC_REPORT: { da: 'Periodisk rapport', en: 'Periodic report' },
  FINAL_REPORT: { da: 'Slutrapport', en: 'Final report' },
  DELIVERABLE: { da: 'Leverance', en: 'Deliverable' },
  MILESTONE: { da: 'Milepæl', en: 'Milestone' },
  PAYMENT_REQUEST: { da: 'Betalingsanmodning', en: 'Payment request' },
  AUDIT: { da: 'Revision', en: 'Audit' },
  AMENDMENT: { da: 'Ændring af tilskudsaftalen', en: 'Grant agreement amendment' },
  OTHER: { da: 'Frist', en: 'Deadline' },
};

const PROGRAMME_NAMES: Readonly<Partial<Record<Grant['programme'], string>>> = {
  FP7: 'EU FP7',
  H2020: 'Horizon 2020',
  HORIZON_EUROPE: 'Horizon Europe',
  INTERREG: 'Interreg',
  ERASMUS_PLUS: 'Erasmus+',
  ESF: 'Den Europæiske Socialfond (ESF)',
  LIFE: 'LIFE',
  CEF: 'Connecting Europe Facility (CEF)',
  DIGITAL_EUROPE: 'Digital Europe',
  EIT: 'EIT',
};

export const programmeOf = (grant: Grant): string => {
  const name = PROGRAMME_NAMES[grant.programme];
  return name ? `${name} (${grant.programme})` : grant.programme;
};

export const forvaltningOf = (grant: Grant): string => forvaltningLabel(grant.forvaltning);

export const longDate = (locale: 'da-DK' | 'en-GB', date: string): string =>
  `${new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`))} (${date})`;

const daDays = (n: number) => (n === 1 ? '1 dag' : `${n} dage`);
const enDays = (n: number) => (n === 1 ? '1 day' : `${n} days`);

/** Label and value lines, the values aligned. */
const table = (rows: readonly (readonly [string, string])[]): string => {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
};

type Overdue = EventDetail<'PaymentOverdue'>;

const EXPECTED_KINDS: Readonly<Record<Overdue['expectedPayment']['kind'], { da: string; en: string }>> = {
  PREFINANCING: { da: 'Forfinansiering', en: 'Pre-financing' },
  INTERIM: { da: 'Mellemliggende betaling', en: 'Interim payment' },
  BALANCE: { da: 'Slutbetaling', en: 'Balance' },
  RETENTION_RELEASE: { da: 'Frigivelse af tilbageholdt beløb', en: 'Retention released' },
  OTHER: { da: 'Betaling', en: 'Payment' },
};

/** "99819.38" → "99.819,38" (da) or "99,819.38" (en): from the decimal string, never through a float. */
const amountIn = (locale: 'da' | 'en', money: { amount: string; currency: string }): string => {
  const [whole = '0', cents = '00'] = money.amount.split('.');
  const [group, decimal] = locale === 'da' ? ['.', ','] : [',', '.'];
  return `${whole.replace(/\B(?=(\d{3})+$)/g, group)}${decimal}${cents} ${money.currency}`;
};

const overdueRows = (locale: 'da' | 'en', d: Overdue): [string, string][] => {
  const e = d.expectedPayment;
  const da = locale === 'da';
  return [
    [
      da ? 'Forventet betaling' : 'Expected payment',
      `${EXPECTED_KINDS[e.kind][locale]}${e.note ? ` – ${e.note}` : ''}`,
    ],
    [da ? 'Beløb' : 'Amount', amountIn(locale, e.amount)],
    [da ? 'Forventet den' : 'Expected on', longDate(da ? 'da-DK' : 'en-GB', e.expectedOn)],
    [da ? 'Dage forsinket' : 'Days overdue', String(d.daysOverdue)],
  ];
};

interface Part {
  readonly subject: string;
  readonly lead: string;
  readonly rows: readonly (readonly [string, string])[];
  readonly advice: string;
}

const danish = (d: AlertDetail): Part => {
  const grantRows: [string, string][] = [
    ['Bevilling', d.grant.acronym],
    ['Forvaltning', forvaltningOf(d.grant)],
    ['Program', programmeOf(d.grant)],
  ];
  if ('expectedPayment' in d) {
    return {
      subject: `${EXPECTED_KINDS[d.expectedPayment.kind].da} er ${daDays(d.daysOverdue)} forsinket`,
      lead: `En forventet betaling til ${d.grant.acronym} er ikke modtaget ${daDays(d.daysOverdue)} efter den forventede dato.`,
      rows: [...grantRows, ...overdueRows('da', d)],
      advice:
        'Kontakt bevillingsgiver eller koordinator, og registrer betalingen i funding-tracker, når den er modtaget, eller ret den forventede dato.',
    };
  }
  if ('deadline' in d) {
    const kind = DEADLINE_KINDS[d.deadline.kind].da;
    const what: [string, string] = ['Frist', `${kind} – ${d.deadline.title}`];
    const due: [string, string] = ['Forfaldsdato', longDate('da-DK', d.deadline.dueOn)];
    if ('daysOverdue' in d) {
      return {
        subject: `${kind} er ${daDays(d.daysOverdue)} over fristen`,
        lead: `Fristen for ${d.grant.acronym} er overskredet, og den står stadig som åben.`,
        rows: [...grantRows, what, due, ['Dage over fristen', String(d.daysOverdue)]],
        advice:
          'Indsend det, der mangler, eller aftal en ny frist med bevillingsgiver, og marker fristen som udført i funding-tracker.',
      };
    }
    return {
      subject: d.daysLeft === 0 ? `${kind} forfalder i dag` : `${kind} forfalder om ${daDays(d.daysLeft)}`,
      lead: `En frist for ${d.grant.acronym} nærmer sig.`,
      rows: [...grantRows, what, due, ['Dage tilbage', String(d.daysLeft)]],
      advice: 'Marker fristen som udført i funding-tracker, når den er overholdt.',
    };
  }
  const ends: [string, string] = ['Sidste finansieringsdag', longDate('da-DK', d.fundingEndsOn)];
  if ('daysLeft' in d) {
    return {
      subject:
        d.daysLeft === 0 ? 'Finansieringen slutter i dag' : `Finansieringen slutter om ${daDays(d.daysLeft)}`,
      lead: `Finansieringen af ${d.grant.acronym} nærmer sig sin slutdato.`,
      rows: [
        ...grantRows,
        ['Hvad', 'Bevillingens finansiering slutter'],
        ends,
        ['Dage tilbage', String(d.daysLeft)],
      ],
      advice: 'Udgifter skal være afholdt og dokumenteret inden slutdatoen.',
    };
  }
  return {
    subject: 'Finansieringen er udløbet',
    lead: `Finansieringen af ${d.grant.acronym} er udløbet, men bevillingen står stadig som tildelt eller aktiv.`,
    rows: [...grantRows, ['Hvad', 'Bevillingens finansiering er slut'], ends],
    advice: 'Luk bevillingen i funding-tracker, eller ret dens slutdato, hvis den er forlænget.',
  };
};

const english = (d: AlertDetail): Part => {
  const grantRows: [string, string][] = [
    ['Grant', d.grant.acronym],
    ['Administration (forvaltning)', forvaltningOf(d.grant)],
    ['Programme', programmeOf(d.grant)],
  ];
  if ('expectedPayment' in d) {
    return {
      subject: `${EXPECTED_KINDS[d.expectedPayment.kind].en} ${enDays(d.daysOverdue)} overdue`,
      lead: `An expected payment to ${d.grant.acronym} has not arrived ${enDays(d.daysOverdue)} after it was expected.`,
      rows: [...grantRows, ...overdueRows('en', d)],
      advice:
        'Contact the funder or the coordinator, and record the payment in funding-tracker once it arrives, or correct the expected date.',
    };
  }
  if ('deadline' in d) {
    const kind = DEADLINE_KINDS[d.deadline.kind].en;
    const what: [string, string] = ['What is due', `${kind} – ${d.deadline.title}`];
    const due: [string, string] = ['Due date', longDate('en-GB', d.deadline.dueOn)];
    if ('daysOverdue' in d) {
      return {
        subject: `${kind} is ${enDays(d.daysOverdue)} overdue`,
        lead: `A deadline of ${d.grant.acronym} has passed and is still open.`,
        rows: [...grantRows, what, due, ['Days overdue', String(d.daysOverdue)]],
        advice:
          'Submit what is missing or agree a new date with the funder, then mark the deadline as done in funding-tracker.',
      };
    }
    return {
      subject: d.daysLeft === 0 ? `${kind} due today` : `${kind} due in ${enDays(d.daysLeft)}`,
      lead: `A deadline of ${d.grant.acronym} is approaching.`,
      rows: [...grantRows, what, due, ['Days left', String(d.daysLeft)]],
      advice: 'Mark the deadline as done in funding-tracker once it is met.',
    };
  }
  if ('daysLeft' in d) {
    const ends: [string, string] = ['Funding ends on', longDate('en-GB', d.fundingEndsOn)];
    return {
      subject: d.daysLeft === 0 ? 'Funding ends today' : `Funding ends in ${enDays(d.daysLeft)}`,
      lead: `The funding of ${d.grant.acronym} is nearing its end date.`,
      rows: [...grantRows, ['What', 'The grant’s funding ends'], ends, ['Days left', String(d.daysLeft)]],
      advice: 'Costs must be incurred and documented by the end date.',
    };
  }
  return {
    subject: 'Funding has ended',
    lead: `The funding of ${d.grant.acronym} has ended, but the grant is still awarded or active.`,
    rows: [
      ...grantRows,
      ['What', 'The grant’s funding has ended'],
      ['Funding ended on', longDate('en-GB', d.fundingEndsOn)],
    ],
    advice: 'Close the grant in funding-tracker, or correct its end date if it was extended.',
  };
};

/**
 * Where the alert's subject is in the web application: the grant, scrolled to the deadline for a
 * deadline alert. The base is the deployment's public URL (PUBLIC_BASE_URL).
 */
export const alertLinkOf = (publicBaseUrl: string, detail: AlertDetail): string => {
  const grant = `${publicBaseUrl.replace(/\/+$/, '')}/app/grants/${encodeURIComponent(detail.grant.grantId)}`;
  return 'deadline' in detail ? `${grant}#deadline-${encodeURIComponent(detail.deadline.deadlineId)}` : grant;
};

/** The e-mail for an alert: subject "[ACRONYM] dansk / English", body in Danish, then English. */
export const composeAlertMessage = (
  detailType: AlertDetailType,
  detail: AlertDetail,
  publicBaseUrl: string,
): AlertMessage => {
  const da = danish(detail);
  const en = english(detail);
  const link = alertLinkOf(publicBaseUrl, detail);
  const text = [
    'Hej,',
    '',
    da.lead,
    '',
    table(da.rows),
    '',
    da.advice,
    `Åbn ${'deadline' in detail ? 'fristen' : 'bevillingen'}: ${link}`,
    '',
    'Du får denne e-mail, fordi du er projektleder for eller følger bevillingen.',
    '',
    '-------------------- English --------------------',
    '',
    'Hello,',
    '',
    en.lead,
    '',
    table(en.rows),
    '',
    en.advice,
    `Open the ${'deadline' in detail ? 'deadline' : 'grant'}: ${link}`,
    '',
    'You receive this e-mail as the project lead or a watcher of the grant.',
    '',
    '-- ',
    `funding-tracker · ${detailType} · event ${detail.eventId} · grant ${detail.grant.grantId}`,
    '',
  ].join('\n');
  return { subject: `[${detail.grant.acronym}] ${da.subject} / ${en.subject}`, text };
};
