import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_THRESHOLDS } from '../../lib/domain/alerts';
import {
  buildCalendar,
  type CalendarDeadline,
  type CalendarEntry,
  type CalendarGrant,
  deadlineUid,
  escapeText,
  type FeedScope,
  foldLine,
  fundingUid,
  selectFeed,
} from '../../lib/domain/calendar';

// ---- Fixtures: plain data, as the ledger returns it ----

const STAMP = new Date('2026-11-22T09:00:00.123Z');

const atelier = (fields: Partial<CalendarGrant> = {}): CalendarGrant => ({
  grantId: '01JATELIER0000000000000000',
  acronym: 'ATELIER',
  title: 'AmsTErdam BiLbao cItizen drivEn smaRt cities',
  forvaltning: 'TMF',
  programme: 'H2020',
  status: 'ACTIVE',
  endDate: '2027-10-31',
  ...fields,
});

const deadline = (fields: Partial<CalendarDeadline> = {}): CalendarDeadline => ({
  deadlineId: 'report-2026-12-31',
  kind: 'PERIODIC_REPORT',
  title: 'Periodic report 1',
  dueOn: '2027-03-01',
  status: 'OPEN',
  ...fields,
});

// ---- Reading the feed back with a maintained parser ----

const parse = (text: string) => new ICAL.Component(ICAL.parse(text));

const eventsOf = (text: string) =>
  parse(text)
    .getAllSubcomponents('vevent')
    .map((component) => ({ component, event: new ICAL.Event(component) }));

const eventByUid = (text: string, uid: string) => {
  const found = eventsOf(text).find(({ event }) => event.uid === uid);
  if (!found) throw new Error(`No event ${uid} in the feed`);
  return found;
};

/** Each alarm's trigger in whole days before the event (negative: before). */
const alarmDays = (component: ICAL.Component): number[] =>
  component.getAllSubcomponents('valarm').map((alarm) => {
    const trigger = alarm.getFirstPropertyValue('trigger') as ICAL.Duration;
    return trigger.toSeconds() / 86_400;
  });

/** Half of a character outside the BMP: what splitting one between two lines would leave. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('the calendar feed (RFC 5545)', () => {
  it('shows each OPEN deadline as an all-day event with a stable UID, summary, description and reminders', () => {
    // arrange
    const grant = atelier();
    const text = buildCalendar({
      scopeName: 'TMF',
      entries: [{ grant, deadlines: [deadline()] }],
      stamp: STAMP,
    });
    // act
    const calendar = parse(text);
    const { event, component } = eventByUid(text, deadlineUid(grant.grantId, 'report-2026-12-31'));
    // assert
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Funding tracker – TMF');
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/Copenhagen');
    expect(String(calendar.getFirstPropertyValue('x-published-ttl'))).toBe('PT1H');
    expect(String(calendar.getFirstPropertyValue('refresh-interval'))).toBe('PT1H');
    expect(event.uid).toBe('deadline-01JATELIER0000000000000000-report-2026-12-31@funding-tracker.kk.dk');
    expect(event.summary).toBe('[ATELIER] Periodic report 1');
    expect(event.startDate.isDate).toBe(true);
    expect(event.startDate.toString()).toBe('2027-03-01');
    expect(event.endDate.isDate).toBe(true);
    expect(event.endDate.toString()).toBe('2027-03-02');
    expect(event.description).toBe(
      [
        'Periodic report 1 is due on 2027-03-01.',
        'Grant: ATELIER – AmsTErdam BiLbao cItizen drivEn smaRt cities',
        'Forvaltning: TMF (Teknik- og Miljøforvaltningen)',
        'Programme: H2020',
        'Grant status: ACTIVE',
        'Deadline kind: Periodic report (PERIODIC_REPORT)',
        `Grant id: ${grant.grantId}`,
        'Deadline id: report-2026-12-31',
      ].join('\n'),
    );
    expect(component.getFirstPropertyValue('transp')).toBe('TRANSPARENT');
    expect(component.getFirstProperty('categories')?.getValues()).toEqual([
      'Deadline',
      'PERIODIC_REPORT',
      'TMF',
    ]);
    expect(component.getFirstPropertyValue('dtstamp')?.toString()).toBe('2026-11-22T09:00:00Z');
    expect(alarmDays(component)).toEqual(DEFAULT_ALERT_THRESHOLDS.deadline.map((d) => -d));
    for (const alarm of component.getAllSubcomponents('valarm')) {
      expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
      expect(String(alarm.getFirstPropertyValue('description'))).toMatch(
        /^\[ATELIER\] Periodic report 1 is due in/,
      );
    }
  });

  it("uses the grant's own alert lead days for deadline reminders and the funding thresholds for its end", () => {
    const grant = atelier({ alertLeadDays: [10, 60, 3], fundingEndsOn: '2027-12-31' });
    const text = buildCalendar({ entries: [{ grant, deadlines: [deadline()] }], stamp: STAMP });
    const { component: deadlineEvent } = eventByUid(text, deadlineUid(grant.grantId, 'report-2026-12-31'));
    const { event: funding, component: fundingEvent } = eventByUid(text, fundingUid(grant.grantId));
    expect(alarmDays(deadlineEvent)).toEqual([-60, -10, -3]);
    expect(funding.summary).toBe('[ATELIER] Funding ends');
    expect(funding.uid).toBe('funding-01JATELIER0000000000000000@funding-tracker.kk.dk');
    expect(funding.startDate.toString()).toBe('2027-12-31');
    expect(funding.endDate.toString()).toBe('2028-01-01');
    expect(alarmDays(fundingEvent)).toEqual([-90, -30]);
    expect(parse(text).getFirstPropertyValue('x-wr-calname')).toBe('Funding tracker');
  });

  it('honours configured thresholds', () => {
    const grant = atelier();
    const text = buildCalendar({
      entries: [{ grant, deadlines: [deadline()] }],
      thresholds: { deadline: [5], funding: [45] },
      stamp: STAMP,
    });
    expect(alarmDays(eventByUid(text, deadlineUid(grant.grantId, 'report-2026-12-31')).component)).toEqual([
      -5,
    ]);
    expect(alarmDays(eventByUid(text, fundingUid(grant.grantId)).component)).toEqual([-45]);
  });

  it('leaves out deadlines that are DONE or WAIVED, and funding ends of grants not AWARDED or ACTIVE', () => {
    const entries: CalendarEntry[] = (
      ['APPLIED', 'AWARDED', 'ACTIVE', 'CLOSED', 'REJECTED', 'TERMINATED'] as const
    ).map((status, i) => ({
      grant: atelier({ grantId: `01JGRANT${i}`.padEnd(26, '0'), acronym: status, status }),
      deadlines: [
        deadline({ deadlineId: 'open' }),
        deadline({ deadlineId: 'done', status: 'DONE' }),
        deadline({ deadlineId: 'waived', status: 'WAIVED' }),
      ],
    }));
    const summaries = eventsOf(buildCalendar({ entries, stamp: STAMP })).map(({ event }) => event.summary);
    expect(summaries.filter((s) => s.endsWith('Funding ends')).sort()).toEqual([
      '[ACTIVE] Funding ends',
      '[AWARDED] Funding ends',
    ]);
    expect(summaries.filter((s) => s.endsWith('Periodic report 1'))).toHaveLength(6);
  });

  it('shows an OPEN deadline of a finished grant without reminders, as the sweeper sends no alerts for it', () => {
    const grant = atelier({ status: 'CLOSED' });
    const text = buildCalendar({
      entries: [{ grant, deadlines: [deadline({ kind: 'AUDIT' })] }],
      stamp: STAMP,
    });
    expect(alarmDays(eventByUid(text, deadlineUid(grant.grantId, 'report-2026-12-31')).component)).toEqual(
      [],
    );
  });

  it('keeps to the window when one is given', () => {
    const grant = atelier({ endDate: '2030-06-30' });
    const text = buildCalendar({
      entries: [
        {
          grant,
          deadlines: [
            deadline({ deadlineId: 'before', dueOn: '2026-10-22' }),
            deadline({ deadlineId: 'first', dueOn: '2026-10-23' }),
            deadline({ deadlineId: 'last', dueOn: '2029-11-22' }),
            deadline({ deadlineId: 'after', dueOn: '2029-11-23' }),
          ],
        },
      ],
      window: { from: '2026-10-23', to: '2029-11-22' },
      stamp: STAMP,
    });
    expect(eventsOf(text).map(({ event }) => event.uid)).toEqual([
      deadlineUid(grant.grantId, 'first'),
      deadlineUid(grant.grantId, 'last'),
    ]);
  });

  it('folds a long Danish line at 75 octets without splitting a character, and unfolds to the original', () => {
    // arrange
    const title =
      'Ærø-Østerbro grøn omstilling: Københavns kommunale bæredygtighedsrapport om søer, åer og fjernvarme 🌍 — æøå ÆØÅ × 3';
    const grant = atelier({ title, acronym: 'ÆØÅ-GRØN' });
    const text = buildCalendar({
      entries: [{ grant, deadlines: [deadline({ title: `Afrapportering: ${title}` })] }],
      stamp: STAMP,
    });
    // act: the octets as they go over the wire, cut into physical lines at CRLF
    const octets = Buffer.from(text, 'utf8');
    const lines: Buffer[] = [];
    for (let start = 0; start < octets.length; ) {
      const end = octets.indexOf('\r\n', start);
      lines.push(octets.subarray(start, end));
      start = end + 2;
    }
    const { event } = eventByUid(text, deadlineUid(grant.grantId, 'report-2026-12-31'));
    // assert
    const strict = new TextDecoder('utf-8', { fatal: true });
    expect(lines.filter((line) => line[0] === 0x20).length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(75);
      // A line that ends or starts inside a multi-byte character is not valid UTF-8 on its own.
      expect(() => strict.decode(line)).not.toThrow();
    }
    expect(event.summary).toBe(`[ÆØÅ-GRØN] Afrapportering: ${title}`);
    expect(event.description).toContain(`Grant: ÆØÅ-GRØN – ${title}`);
  });

  it('folds any text so that every physical line fits, no character is split, and unfolding gives it back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (value) => {
        const line = `DESCRIPTION:${value.replace(/[\r\n]/g, ' ')}`;
        const folded = foldLine(line);
        const encoder = new TextEncoder();
        return (
          folded
            .split('\r\n')
            .every((physical) => encoder.encode(physical).length <= 75 && !LONE_SURROGATE.test(physical)) &&
          folded.replace(/\r\n /g, '') === line
        );
      }),
    );
  });

  it('escapes backslashes, semicolons, commas and line breaks in text, and parses back to the original', () => {
    const title = 'Report; part 1, draft \\ final\nsecond line\r\nthird';
    const grant = atelier({ title: 'Smart, green; and \\ fair\ncities', acronym: 'A,B;C' });
    const text = buildCalendar({ entries: [{ grant, deadlines: [deadline({ title })] }], stamp: STAMP });
    const { event, component } = eventByUid(text, deadlineUid(grant.grantId, 'report-2026-12-31'));
    expect(text).toContain('SUMMARY:[A\\,B\\;C] Report\\; part 1\\, draft \\\\ final\\nsecond line\\nthird');
    expect(event.summary).toBe('[A,B;C] Report; part 1, draft \\ final\nsecond line\nthird');
    expect(event.description).toContain('Grant: A,B;C – Smart, green; and \\ fair\ncities');
    expect(component.getFirstProperty('categories')?.getValues()).toEqual([
      'Deadline',
      'PERIODIC_REPORT',
      'TMF',
    ]);
    expect(escapeText('a\u0007b')).toBe('a b');
  });

  it('writes CRLF line ends only, and a DTSTAMP in UTC', () => {
    const text = buildCalendar({ entries: [{ grant: atelier(), deadlines: [deadline()] }], stamp: STAMP });
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toMatch(/\r\nDTSTAMP:20261122T090000Z\r\n/);
  });

  it('gives the same feed for the same data in any order, but for DTSTAMP', () => {
    // arrange
    const a = atelier();
    const b = atelier({ grantId: '01JBBBBBBBBBBBBBBBBBBBBBBB', acronym: 'BETA', endDate: '2027-03-01' });
    const deadlinesA = [
      deadline({ deadlineId: 'x', dueOn: '2027-05-01' }),
      deadline({ deadlineId: 'y', dueOn: '2027-03-01' }),
    ];
    const deadlinesB = [deadline({ deadlineId: 'z', dueOn: '2027-03-01' })];
    // act
    const first = buildCalendar({
      entries: [
        { grant: a, deadlines: deadlinesA },
        { grant: b, deadlines: deadlinesB },
      ],
      stamp: STAMP,
    });
    const second = buildCalendar({
      entries: [
        { grant: b, deadlines: deadlinesB },
        { grant: a, deadlines: [...deadlinesA].reverse() },
      ],
      stamp: new Date('2027-01-01T00:00:00Z'),
    });
    // assert
    const withoutStamp = (text: string) => text.replace(/DTSTAMP:\S+/g, 'DTSTAMP');
    expect(withoutStamp(second)).toBe(withoutStamp(first));
    expect(second).not.toBe(first);
    expect(eventsOf(first).map(({ event }) => [event.startDate.toString(), event.summary])).toEqual([
      ['2027-03-01', '[ATELIER] Periodic report 1'],
      ['2027-03-01', '[BETA] Periodic report 1'],
      ['2027-03-01', '[BETA] Funding ends'],
      ['2027-05-01', '[ATELIER] Periodic report 1'],
      ['2027-10-31', '[ATELIER] Funding ends'],
    ]);
  });
});

describe('what a feed token may show', () => {
  const all: FeedScope = { kind: 'all' };
  const tmf: FeedScope = { kind: 'forvaltning', forvaltning: 'TMF' };
  const one: FeedScope = { kind: 'grant', grantId: 'G1' };

  it('shows the whole scope when the query names nothing', () => {
    expect(selectFeed(all, {})).toEqual(all);
    expect(selectFeed(tmf, {})).toEqual(tmf);
    expect(selectFeed(one, {})).toEqual(one);
  });

  it('grants a narrower ask and refuses a wider or another one', () => {
    expect(selectFeed(all, { forvaltning: 'KFF' })).toEqual({ kind: 'forvaltning', forvaltning: 'KFF' });
    expect(selectFeed(all, { grantId: 'G2' })).toEqual({ kind: 'grant', grantId: 'G2' });
    expect(selectFeed(tmf, { forvaltning: 'TMF' })).toEqual(tmf);
    expect(selectFeed(tmf, { forvaltning: 'KFF' })).toBeUndefined();
    expect(selectFeed(tmf, { grantId: 'G2' })).toEqual({ kind: 'grant', grantId: 'G2', mustBeIn: 'TMF' });
    expect(selectFeed(one, { grantId: 'G1' })).toEqual({ kind: 'grant', grantId: 'G1' });
    expect(selectFeed(one, { grantId: 'G2' })).toBeUndefined();
    expect(selectFeed(one, { forvaltning: 'TMF' })).toBeUndefined();
  });
});
