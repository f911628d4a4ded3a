import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  alertEventId,
  buildEvent,
  deterministicUuid,
  EVENT_CATALOGUE,
  EventContractError,
  type EventDetail,
  type EventFields,
  isAlertDetailType,
  parseDetail,
  putEventsEntry,
  toDeliveredEvent,
} from '../../events/contracts';
import { driftedEventFiles, EVENTS_DIR, generateEventFiles, writeEventFiles } from '../../events/generate';
import { ALERT_DETAIL_TYPES, DETAIL_TYPES, type DetailType, EVENT_SOURCE } from '../../lib/shared/names';

const detailTypes = Object.values(DETAIL_TYPES);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const atelier = {
  grantId: '01HQ8ZK4V6N3T2RXW5M7B9C1DE',
  acronym: 'ATELIER',
  forvaltning: 'TMF',
  programme: 'H2020',
} as const;
const finalReport = {
  deadlineId: '01J0Q3M8S6V1Y4Z7B2C5D9E3FG',
  kind: 'FINAL_REPORT',
  title: 'Final report',
  dueOn: '2024-12-30',
  status: 'OPEN',
} as const;
const at = { eventId: '01HQ8ZK4V6XG2M5R8T1W4Y7A0B', occurredAt: '2024-12-16T05:00:00.000Z' };

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(EVENTS_DIR, path), 'utf8'));

describe('the event catalogue', () => {
  it('has one entry per detail-type, under its own name, with an integer version from 1', () => {
    expect(Object.keys(EVENT_CATALOGUE).sort()).toEqual([...detailTypes].sort());
    for (const detailType of detailTypes) {
      const entry = EVENT_CATALOGUE[detailType];
      expect(entry.detailType).toBe(detailType);
      expect(Number.isInteger(entry.version) && entry.version >= 1).toBe(true);
      expect(entry.description.length).toBeGreaterThan(20);
    }
  });

  it.each(detailTypes)('%s: its example parses with its schema and carries the envelope', (detailType) => {
    const { schema, example, version } = EVENT_CATALOGUE[detailType];
    const detail = schema.parse(example) as EventDetail<DetailType>;
    expect(detail.eventVersion).toBe(version);
    // A digest spans grants: its envelope names them all where every other names its one grant.
    const grantField = detailType === 'DigestSent' ? 'grants' : 'grant';
    expect(Object.keys(detail).slice(0, 4)).toEqual(['eventId', 'eventVersion', 'occurredAt', grantField]);
    const refs = 'grants' in detail ? detail.grants : [detail.grant];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(Object.keys(ref)).toEqual(['grantId', 'acronym', 'forvaltning', 'programme']);
      expect(ref.grantId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    }
  });

  it('gives recipients to exactly the alert detail-types, which are the notifier rule’s', () => {
    for (const detailType of detailTypes) {
      const example = EVENT_CATALOGUE[detailType].example as Record<string, unknown>;
      expect('recipients' in example, detailType).toBe(
        (ALERT_DETAIL_TYPES as readonly string[]).includes(detailType),
      );
      expect(isAlertDetailType(detailType)).toBe(
        (ALERT_DETAIL_TYPES as readonly string[]).includes(detailType),
      );
    }
  });

  it('gives alert examples the deterministic ids alertEventId makes', () => {
    for (const detailType of ALERT_DETAIL_TYPES) {
      expect(EVENT_CATALOGUE[detailType].example.eventId).toMatch(UUID);
    }
  });
});

describe('the generated schemas and examples', () => {
  it.each(detailTypes)('%s: has a schema file and an example file', (detailType) => {
    expect(existsSync(join(EVENTS_DIR, 'schemas', `${detailType}.json`))).toBe(true);
    expect(existsSync(join(EVENTS_DIR, 'examples', `${detailType}.json`))).toBe(true);
  });

  it('are exactly what the generator makes from the contracts now (run `npm run events:generate`)', () => {
    // arrange
    const generated = generateEventFiles();
    // act
    const onDisk = generated.map((file) => readFileSync(join(EVENTS_DIR, file.path), 'utf8'));
    // assert: one by one, so a failure shows the diff
    generated.forEach((file, i) => {
      expect(onDisk[i], file.path).toBe(file.content);
    });
    expect(driftedEventFiles()).toEqual([]);
  });

  it('generates the same bytes every time, pretty-printed with a trailing newline', () => {
    const first = generateEventFiles();
    expect(generateEventFiles()).toEqual(first);
    for (const file of first) {
      expect(file.content.endsWith('}\n')).toBe(true);
      expect(file.content).toBe(`${JSON.stringify(JSON.parse(file.content), null, 2)}\n`);
    }
  });

  it('reports a changed, missing or stale file, and writing repairs them', () => {
    // arrange: a copy of the generated files with one changed, one missing and one stale
    const dir = mkdtempSync(join(tmpdir(), 'events-'));
    try {
      writeEventFiles(dir);
      writeFileSync(join(dir, 'schemas/GrantUpdated.json'), '{}\n');
      rmSync(join(dir, 'examples/GrantExpired.json'));
      writeFileSync(join(dir, 'examples/GrantDeleted.json'), '{}\n');
      // act / assert
      expect(driftedEventFiles(dir)).toEqual([
        'schemas/GrantUpdated.json',
        'examples/GrantExpired.json',
        'examples/GrantDeleted.json',
      ]);
      expect(writeEventFiles(dir).sort()).toEqual(
        ['examples/GrantDeleted.json', 'examples/GrantExpired.json', 'schemas/GrantUpdated.json'].sort(),
      );
      expect(driftedEventFiles(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(detailTypes)('%s: the schema names its detail-type, source and version', (detailType) => {
    const schema = readJson(`schemas/${detailType}.json`) as Record<string, unknown>;
    const { version } = EVENT_CATALOGUE[detailType];
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`urn:funding-tracker:events:${detailType}:v${version}`);
    expect(schema.title).toContain(detailType);
    expect(schema.description).toContain(EVENT_SOURCE);
    expect(schema['x-eventbridge']).toEqual({ source: EVENT_SOURCE, detailType, version });
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'eventId',
        'eventVersion',
        'occurredAt',
        detailType === 'DigestSent' ? 'grants' : 'grant',
      ]),
    );
    expect(schema.additionalProperties).toBe(false);
  });

  it.each(detailTypes)('%s: the example is a whole EventBridge event whose detail parses', (detailType) => {
    const event = readJson(`examples/${detailType}.json`) as Record<string, unknown>;
    expect(event).toMatchObject({
      version: '0',
      'detail-type': detailType,
      source: EVENT_SOURCE,
      account: '000000000000',
      region: 'eu-central-1',
      resources: [],
    });
    expect(event.id).toMatch(UUID);
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(() => parseDetail(detailType, event.detail)).not.toThrow();
  });
});

describe('buildEvent', () => {
  it('fills the envelope from the catalogue and returns the validated detail', () => {
    // act
    const detail = buildEvent(
      DETAIL_TYPES.deadlineApproaching,
      {
        grant: atelier,
        deadline: finalReport,
        daysLeft: 14,
        threshold: 14,
        recipients: ['PD7K@kk.dk'],
      },
      { eventId: at.eventId, occurredAt: new Date(at.occurredAt) },
    );
    // assert
    expect(detail).toEqual({
      eventId: at.eventId,
      eventVersion: EVENT_CATALOGUE.DeadlineApproaching.version,
      occurredAt: at.occurredAt,
      grant: atelier,
      deadline: finalReport,
      daysLeft: 14,
      threshold: 14,
      recipients: ['pd7k@kk.dk'],
    });
    expectTypeOf(detail.daysLeft).toEqualTypeOf<number>();
    expectTypeOf<EventFields<'GrantStatusChanged'>>().toHaveProperty('from');
    expectTypeOf<EventFields<'GrantStatusChanged'>>().not.toHaveProperty('eventVersion');
  });

  it.each([
    [
      'an unknown forvaltning',
      DETAIL_TYPES.grantRegistered,
      { grant: { ...atelier, forvaltning: 'XYZ' } },
      at,
    ],
    [
      'a field the contract does not have',
      DETAIL_TYPES.grantRegistered,
      { grant: atelier, status: 'ACTIVE' },
      at,
    ],
    ['a missing field', DETAIL_TYPES.paymentRecorded, { grant: atelier }, at],
    ['no changed fields', DETAIL_TYPES.grantUpdated, { grant: atelier, changed: [] }, at],
    [
      'a status change to the same status',
      DETAIL_TYPES.grantStatusChanged,
      { grant: atelier, from: 'ACTIVE', to: 'ACTIVE' },
      at,
    ],
    [
      'a completed deadline that is still OPEN',
      DETAIL_TYPES.deadlineCompleted,
      { grant: atelier, deadline: finalReport },
      at,
    ],
    [
      'daysLeft beyond the threshold',
      DETAIL_TYPES.deadlineApproaching,
      { grant: atelier, deadline: finalReport, daysLeft: 20, threshold: 14, recipients: ['pd7k@kk.dk'] },
      at,
    ],
    [
      'fractional days',
      DETAIL_TYPES.deadlineMissed,
      { grant: atelier, deadline: finalReport, daysOverdue: 1.5, recipients: ['pd7k@kk.dk'] },
      at,
    ],
    [
      'no recipients',
      DETAIL_TYPES.grantExpired,
      { grant: atelier, fundingEndsOn: '2024-10-31', recipients: [] },
      at,
    ],
    [
      'the same recipient twice',
      DETAIL_TYPES.grantExpired,
      { grant: atelier, fundingEndsOn: '2024-10-31', recipients: ['pd7k@kk.dk', 'PD7K@kk.dk'] },
      at,
    ],
    [
      'a recipient that is not an e-mail address',
      DETAIL_TYPES.grantExpired,
      { grant: atelier, fundingEndsOn: '2024-10-31', recipients: ['project lead'] },
      at,
    ],
    [
      'an impossible date',
      DETAIL_TYPES.grantExpired,
      { grant: atelier, fundingEndsOn: '2024-02-30', recipients: ['a@kk.dk'] },
      at,
    ],
    [
      'an occurredAt that is no timestamp',
      DETAIL_TYPES.grantRegistered,
      { grant: atelier },
      { ...at, occurredAt: '16/12/2024' },
    ],
    [
      'an eventId with spaces',
      DETAIL_TYPES.grantRegistered,
      { grant: atelier },
      { ...at, eventId: 'not an id' },
    ],
  ] as const)('rejects %s', (_case, detailType, fields, meta) => {
    expect(() => buildEvent(detailType, fields as never, meta)).toThrow(EventContractError);
  });

  it('names the detail-type and the failing field', () => {
    expect(() =>
      buildEvent(DETAIL_TYPES.grantRegistered, { grant: { ...atelier, forvaltning: 'XYZ' } } as never, at),
    ).toThrow(/GrantRegistered detail breaks its contract: grant\.forvaltning/);
  });

  it('refuses a detail-type that is not in the catalogue', () => {
    expect(() => buildEvent('GrantDeleted' as DetailType, { grant: atelier } as never, at)).toThrow(
      EventContractError,
    );
  });
});

describe('parseDetail', () => {
  it('refuses a detail of another contract version', () => {
    const detail = { ...EVENT_CATALOGUE.GrantRegistered.example, eventVersion: 2 };
    expect(() => parseDetail(DETAIL_TYPES.grantRegistered, detail)).toThrow(/eventVersion/);
  });
});

describe('alertEventId', () => {
  const parts = (threshold: string) => [
    atelier.grantId,
    'DEADLINE',
    finalReport.deadlineId,
    '2024-12-30',
    threshold,
  ];

  it('is deterministic and UUID-formatted', () => {
    expect(alertEventId(parts('14'))).toBe(alertEventId(parts('14')));
    expect(alertEventId(parts('14'))).toMatch(UUID);
  });

  it('differs across thresholds, deadlines and part boundaries', () => {
    const ids = new Set([
      alertEventId(parts('30')),
      alertEventId(parts('14')),
      alertEventId(parts('7')),
      alertEventId(parts('1')),
      alertEventId(parts('MISSED')),
      alertEventId([atelier.grantId, 'DEADLINE', '01J0Q3M8S6V1Y4Z7B2C5D9E3FH', '2024-12-30', '14']),
    ]);
    expect(ids.size).toBe(6);
    expect(alertEventId(['a', 'bc'])).not.toBe(alertEventId(['ab', 'c']));
    expect(alertEventId(['x'])).not.toBe(deterministicUuid(['x']));
  });

  it('needs at least one part', () => {
    expect(() => deterministicUuid([])).toThrow(RangeError);
  });
});

describe('putEventsEntry and toDeliveredEvent', () => {
  const detail = buildEvent(DETAIL_TYPES.grantRegistered, { grant: atelier }, at);

  it('makes the PutEvents entry for the bus', () => {
    const entry = putEventsEntry(DETAIL_TYPES.grantRegistered, detail, 'funding-tracker-dev');
    expect(entry).toEqual({
      Source: EVENT_SOURCE,
      DetailType: 'GrantRegistered',
      Detail: JSON.stringify(detail),
      EventBusName: 'funding-tracker-dev',
    });
    expect(JSON.parse(entry.Detail)).toEqual(detail);
  });

  it('delivers the entry as EventBridge does, time to the second', () => {
    const entry = putEventsEntry(DETAIL_TYPES.grantRegistered, detail, 'funding-tracker-dev');
    const event = toDeliveredEvent(entry, {
      id: 'c9a2b1de-0000-4000-8000-000000000001',
      time: new Date('2024-12-16T05:00:00.731Z'),
      account: '123456789012',
      region: 'eu-central-1',
    });
    expect(event).toEqual({
      version: '0',
      id: 'c9a2b1de-0000-4000-8000-000000000001',
      'detail-type': 'GrantRegistered',
      source: EVENT_SOURCE,
      account: '123456789012',
      time: '2024-12-16T05:00:00Z',
      region: 'eu-central-1',
      resources: [],
      detail,
    });
  });
});
