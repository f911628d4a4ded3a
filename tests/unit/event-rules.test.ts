import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE, isAlertDetailType, putEventsEntry, toDeliveredEvent } from '../../events/contracts';
import {
  alertsToNotifier,
  auditAll,
  EVENT_RULES,
  type EventPattern,
  matchesPattern,
  toCdkEventPattern,
} from '../../events/rules';
import { ALERT_DETAIL_TYPES, DETAIL_TYPES, type DetailType, EVENT_SOURCE } from '../../lib/shared/names';

/** The catalogue's example of a detail-type, as a target would receive it. */
const deliveredExample = (detailType: DetailType) =>
  toDeliveredEvent(
    {
      Source: EVENT_SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify(EVENT_CATALOGUE[detailType].schema.parse(EVENT_CATALOGUE[detailType].example)),
    },
    {
      id: 'e0c1d2a3-0000-4000-8000-000000000000',
      time: '2024-12-16T05:00:00Z',
      account: '000000000000',
      region: 'eu-central-1',
    },
  );

const event = (detail: Record<string, unknown>, overrides: Record<string, unknown> = {}) => ({
  source: EVENT_SOURCE,
  'detail-type': 'DeadlineApproaching',
  detail,
  ...overrides,
});

describe('the rules', () => {
  it.each([...ALERT_DETAIL_TYPES])('sends %s to the notifier', (detailType) => {
    expect(matchesPattern(alertsToNotifier.eventPattern, deliveredExample(detailType))).toBe(true);
  });

  it.each(Object.values(DETAIL_TYPES).filter((t) => !isAlertDetailType(t)))(
    'keeps %s from the notifier',
    (detailType) => {
      expect(matchesPattern(alertsToNotifier.eventPattern, deliveredExample(detailType))).toBe(false);
    },
  );

  it('names the alert detail-types and the source in the notifier rule', () => {
    expect(alertsToNotifier.eventPattern).toEqual({
      source: ['funding-tracker'],
      'detail-type': [
        'DeadlineApproaching',
        'DeadlineMissed',
        'GrantExpiring',
        'GrantExpired',
        'PaymentOverdue',
      ],
    });
  });

  it.each(Object.values(DETAIL_TYPES))('audits %s', (detailType) => {
    expect(matchesPattern(auditAll.eventPattern, deliveredExample(detailType))).toBe(true);
  });

  it('matches nothing from another source', () => {
    const foreign = { ...deliveredExample('DeadlineMissed'), source: 'aws.s3' };
    expect(matchesPattern(alertsToNotifier.eventPattern, foreign)).toBe(false);
    expect(matchesPattern(auditAll.eventPattern, foreign)).toBe(false);
  });

  it('matches a PutEvents entry as it matches the delivered event', () => {
    const { schema, example } = EVENT_CATALOGUE.GrantExpiring;
    const entry = putEventsEntry('GrantExpiring', schema.parse(example), 'funding-tracker');
    expect(matchesPattern(alertsToNotifier.eventPattern, entry)).toBe(true);
    const registered = EVENT_CATALOGUE.GrantRegistered;
    const other = putEventsEntry(
      'GrantRegistered',
      registered.schema.parse(registered.example),
      'funding-tracker',
    );
    expect(matchesPattern(alertsToNotifier.eventPattern, other)).toBe(false);
  });

  it('have unique ids and convert to the CDK pattern shape', () => {
    expect(new Set(EVENT_RULES.map((rule) => rule.id)).size).toBe(EVENT_RULES.length);
    expect(toCdkEventPattern(alertsToNotifier.eventPattern)).toEqual({
      source: ['funding-tracker'],
      detailType: [...ALERT_DETAIL_TYPES],
    });
    expect(() => toCdkEventPattern({ 'detail-typ': ['GrantExpired'] })).toThrow(/detail-typ/);
  });
});

describe('matchesPattern', () => {
  const approaching = event({
    grant: {
      grantId: '01HQ8ZK4V6N3T2RXW5M7B9C1DE',
      acronym: 'ATELIER',
      forvaltning: 'TMF',
      programme: 'H2020',
    },
    deadline: { kind: 'FINAL_REPORT', status: 'OPEN', dueOn: '2024-12-30' },
    daysLeft: 14,
    threshold: 14,
    recipients: ['pd7k@kk.dk', 'energilab-nordhavn@tmf.kk.dk'],
    note: null,
  });

  it('matches exact values on top-level fields: any listed value will do', () => {
    expect(matchesPattern({ 'detail-type': ['GrantExpired', 'DeadlineApproaching'] }, approaching)).toBe(
      true,
    );
    expect(matchesPattern({ 'detail-type': ['GrantExpired'] }, approaching)).toBe(false);
    expect(matchesPattern({ 'detail-type': ['deadlineapproaching'] }, approaching)).toBe(false);
  });

  it('requires every field of the pattern', () => {
    expect(matchesPattern({ source: [EVENT_SOURCE], 'detail-type': ['GrantExpired'] }, approaching)).toBe(
      false,
    );
  });

  it('matches nested detail fields', () => {
    expect(matchesPattern({ detail: { grant: { forvaltning: ['TMF', 'OKF'] } } }, approaching)).toBe(true);
    expect(matchesPattern({ detail: { grant: { forvaltning: ['KFF'] } } }, approaching)).toBe(false);
    expect(
      matchesPattern({ detail: { deadline: { kind: ['FINAL_REPORT'], status: ['OPEN'] } } }, approaching),
    ).toBe(true);
    expect(matchesPattern({ detail: { missing: { deeper: ['x'] } } }, approaching)).toBe(false);
  });

  it('tells numbers from strings and matches null', () => {
    expect(matchesPattern({ detail: { daysLeft: [14] } }, approaching)).toBe(true);
    expect(matchesPattern({ detail: { daysLeft: ['14'] } }, approaching)).toBe(false);
    expect(matchesPattern({ detail: { note: [null] } }, approaching)).toBe(true);
    expect(matchesPattern({ detail: { daysLeft: [null] } }, approaching)).toBe(false);
  });

  it('matches an array in the event when any element matches', () => {
    expect(matchesPattern({ detail: { recipients: ['pd7k@kk.dk'] } }, approaching)).toBe(true);
    expect(matchesPattern({ detail: { recipients: ['someone@else.dk'] } }, approaching)).toBe(false);
  });

  it('matches prefix and suffix', () => {
    expect(matchesPattern({ 'detail-type': [{ prefix: 'Deadline' }] }, approaching)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ prefix: 'Grant' }] }, approaching)).toBe(false);
    expect(matchesPattern({ detail: { recipients: [{ suffix: '@tmf.kk.dk' }] } }, approaching)).toBe(true);
    expect(matchesPattern({ detail: { daysLeft: [{ prefix: '1' }] } }, approaching)).toBe(false);
  });

  it('matches anything-but a value, a list of values or a prefix', () => {
    expect(
      matchesPattern({ detail: { grant: { forvaltning: [{ 'anything-but': 'OKF' }] } } }, approaching),
    ).toBe(true);
    expect(
      matchesPattern({ detail: { grant: { forvaltning: [{ 'anything-but': 'TMF' }] } } }, approaching),
    ).toBe(false);
    expect(
      matchesPattern(
        { detail: { grant: { programme: [{ 'anything-but': ['H2020', 'HORIZON_EUROPE'] }] } } },
        approaching,
      ),
    ).toBe(false);
    expect(matchesPattern({ 'detail-type': [{ 'anything-but': { prefix: 'Grant' } }] }, approaching)).toBe(
      true,
    );
    expect(matchesPattern({ 'detail-type': [{ 'anything-but': { prefix: 'Deadline' } }] }, approaching)).toBe(
      false,
    );
    // anything-but never matches a field the event lacks; that is what exists: false is for
    expect(matchesPattern({ detail: { daysOverdue: [{ 'anything-but': 0 }] } }, approaching)).toBe(false);
  });

  it('matches exists on leaf fields', () => {
    expect(matchesPattern({ detail: { daysLeft: [{ exists: true }] } }, approaching)).toBe(true);
    expect(matchesPattern({ detail: { daysOverdue: [{ exists: true }] } }, approaching)).toBe(false);
    expect(matchesPattern({ detail: { daysOverdue: [{ exists: false }] } }, approaching)).toBe(true);
    expect(matchesPattern({ detail: { daysLeft: [{ exists: false }] } }, approaching)).toBe(false);
    expect(matchesPattern({ detail: { grant: { unit: [{ exists: false }] } } }, approaching)).toBe(true);
  });

  it('matches numeric ranges and equals-ignore-case', () => {
    expect(matchesPattern({ detail: { daysLeft: [{ numeric: ['>', 7, '<=', 14] }] } }, approaching)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { daysLeft: [{ numeric: ['<', 14] }] } }, approaching)).toBe(false);
    expect(
      matchesPattern({ detail: { grant: { acronym: [{ 'equals-ignore-case': 'atelier' }] } } }, approaching),
    ).toBe(true);
  });

  it('matches a nested pattern against an array of objects element by element', () => {
    const withPeriods = event({ reportingPeriods: [{ endsOn: '2021-04-30' }, { endsOn: '2024-10-31' }] });
    expect(matchesPattern({ detail: { reportingPeriods: { endsOn: ['2024-10-31'] } } }, withPeriods)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { reportingPeriods: { endsOn: ['2022-10-31'] } } }, withPeriods)).toBe(
      false,
    );
  });

  it('refuses a filter it does not implement instead of guessing', () => {
    const wildcard = { 'detail-type': [{ wildcard: 'Deadline*' }] } as unknown as EventPattern;
    expect(() => matchesPattern(wildcard, approaching)).toThrow(/Unsupported/);
  });
});
