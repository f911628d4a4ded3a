import type { Digest, DigestGrantSection, DigestItem } from '../../lib/domain/digest';
import { formatAmount } from '../../lib/domain/money';
import type { GrantRef } from '../../lib/domain/schemas';
import type { DigestLinks, DigestMessage } from '../../lib/use-cases/digest';
import { DEADLINE_KINDS, forvaltningOf, longDate, programmeOf } from '../notifier/message';

/**
 * The weekly digest e-mail, Danish first and English below, as plain text like the alerts. Pure: the
 * same digest always gives the same e-mail, so a test reads exactly what a project lead will read.
 */

type Language = 'da' | 'en';

const PAYMENT_KINDS: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  PREFINANCING: { da: 'Forfinansiering', en: 'Pre-financing' },
  INTERIM: { da: 'Mellemliggende betaling', en: 'Interim payment' },
  BALANCE: { da: 'Slutbetaling', en: 'Balance payment' },
  RETENTION_RELEASE: { da: 'Frigivelse af tilbageholdt beløb', en: 'Release of the retention' },
  OTHER: { da: 'Betaling', en: 'Payment' },
};

const WORDS = {
  da: {
    hello: 'Hej,',
    lead: (d: Digest) =>
      `Her er ugens oversigt (uge ${weekNumber(d)}) over det, der er åbent og overskredet eller forfalder inden for 30 dage, i de bevillinger, du er projektleder for eller følger.`,
    overdue: (n: number) => `Overskredet med ${n === 1 ? '1 dag' : `${n} dage`}`,
    today: 'I dag',
    inDays: (n: number) => `Om ${n === 1 ? '1 dag' : `${n} dage`}`,
    fundingEnds: 'Finansieringen slutter',
    expected: 'Forventet betaling',
    openGrant: 'Se bevillingen',
    unsubscribe: 'Afmeld ugeoversigten (varsler om frister fortsætter):',
    why: 'Du får denne e-mail, fordi du er projektleder for eller følger bevillingerne ovenfor.',
    subject: (d: Digest) =>
      `Ugeoversigt uge ${weekNumber(d)}: ${count(d.itemCount, 'punkt', 'punkter')} i ${count(d.grants.length, 'bevilling', 'bevillinger')}`,
    locale: 'da-DK' as const,
  },
  en: {
    hello: 'Hello,',
    lead: (d: Digest) =>
      `Here is this week's digest (week ${weekNumber(d)}) of everything open that is overdue or due within 30 days in the grants you lead or watch.`,
    overdue: (n: number) => `${n === 1 ? '1 day' : `${n} days`} overdue`,
    today: 'Today',
    inDays: (n: number) => `In ${n === 1 ? '1 day' : `${n} days`}`,
    fundingEnds: 'Funding ends',
    expected: 'Expected payment',
    openGrant: 'Open the grant',
    unsubscribe: 'Unsubscribe from the weekly digest (deadline alerts continue):',
    why: 'You receive this e-mail as the project lead or a watcher of the grants above.',
    subject: (d: Digest) =>
      `Weekly digest, week ${weekNumber(d)}: ${count(d.itemCount, 'item', 'items')} in ${count(d.grants.length, 'grant', 'grants')}`,
    locale: 'en-GB' as const,
  },
} as const;

const weekNumber = (d: Digest): number => Number(d.week.week.slice(-2));
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const money = (language: Language, amount: { minor: number; currency: string }): string => {
  const [whole = '0', cents = '00'] = formatAmount(amount.minor).split('.');
  const grouped = Number(whole).toLocaleString(WORDS[language].locale);
  return `${grouped}${language === 'da' ? ',' : '.'}${cents} ${amount.currency}`;
};

const when = (language: Language, item: DigestItem): string => {
  const words = WORDS[language];
  if (item.daysLeft < 0) return words.overdue(-item.daysLeft);
  if (item.daysLeft === 0) return words.today;
  return words.inDays(item.daysLeft);
};

const describe = (language: Language, item: DigestItem): string => {
  const words = WORDS[language];
  switch (item.kind) {
    case 'deadline': {
      const kind = DEADLINE_KINDS[item.deadlineKind as keyof typeof DEADLINE_KINDS]?.[language];
      return `${kind ?? item.deadlineKind} – ${item.title}`;
    }
    case 'funding-end':
      return words.fundingEnds;
    case 'expected-payment': {
      const kind = PAYMENT_KINDS[item.paymentKind]?.[language] ?? item.paymentKind;
      return `${words.expected}: ${kind}, ${money(language, item.amount)}${item.note ? ` (${item.note})` : ''}`;
    }
  }
};

const refOf = (section: DigestGrantSection): GrantRef => ({
  grantId: section.grant.grantId,
  acronym: section.grant.acronym,
  forvaltning: section.grant.forvaltning as GrantRef['forvaltning'],
  programme: section.grant.programme,
});

const sectionText = (language: Language, section: DigestGrantSection, links: DigestLinks): string[] => {
  const words = WORDS[language];
  const { grant } = section;
  const lines = [
    `${grant.acronym} – ${grant.title}`,
    `${forvaltningOf(refOf(section))} · ${programmeOf(refOf(section))}`,
    `${words.openGrant}: ${links.grant(grant.grantId)}`,
  ];
  for (const item of section.items) {
    lines.push(`  • ${when(language, item)}: ${describe(language, item)}`);
    lines.push(`    ${longDate(WORDS[language].locale, item.on)}`);
    if (item.kind === 'deadline') lines.push(`    ${links.deadline(grant.grantId, item.deadlineId)}`);
  }
  return lines;
};

const part = (language: Language, digest: Digest, links: DigestLinks): string[] => {
  const words = WORDS[language];
  return [
    words.hello,
    '',
    words.lead(digest),
    '',
    ...digest.grants.flatMap((section) => [...sectionText(language, section, links), '']),
    words.why,
    words.unsubscribe,
    links.unsubscribe,
  ];
};

/** The digest e-mail: subject "dansk / English", body in Danish, then English. */
export const composeDigestMessage = (digest: Digest, links: DigestLinks): DigestMessage => ({
  subject: `${WORDS.da.subject(digest)} / ${WORDS.en.subject(digest)}`,
  text: [
    ...part('da', digest, links),
    '',
    '-------------------- English --------------------',
    '',
    ...part('en', digest, links),
    '',
    '-- ',
    `funding-tracker · DigestSent · ${digest.week.week} · ${digest.recipient}`,
    '',
  ].join('\n'),
});
