import { forvaltningAbbreviation } from '../../lib/config/catalogues';
import 'aws-sdk-client-mock-vitest/extend';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AlertDetailType,
  EVENT_CATALOGUE,
  EventContractError,
  toDeliveredEvent,
} from '../../events/contracts';
import { createNotifier } from '../../functions/notifier/app';
import { createNotificationLog, NOTIFIED_RETENTION_SECONDS } from '../../functions/notifier/notified';
import { createSesMailer, encodeHeaderValue, renderEml } from '../../lib/adapters/mailer';
import { fixedClock } from '../../lib/domain/dates';
import { type DetailType, EVENT_SOURCE } from '../../lib/shared/names';

const SENDER = 'funding-tracker@kk.dk';
const TABLE = 'ledger-test';
const NOW = '2024-12-16T05:00:03.000Z';
const PUBLIC_BASE_URL = 'https://tilskud.kk.dk';

const delivered = (detailType: DetailType, detail: unknown = EVENT_CATALOGUE[detailType].example) =>
  toDeliveredEvent(
    { Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) },
    { id: 'eb-1', time: '2024-12-16T05:00:01Z', account: '000000000000', region: 'eu-central-1' },
  );

const conditionalCheckFailed = () =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

describe('the notifier', () => {
  const ses = mockClient(SESv2Client);
  const dynamo = mockClient(DynamoDBDocumentClient);
  /** The ledger's NOTIFIED items, behind the mocked document client. */
  let table: Map<string, Record<string, unknown>>;

  beforeEach(() => {
    table = new Map();
    dynamo.on(GetCommand).callsFake((input: GetCommandInput) => ({ Item: table.get(String(input.Key?.pk)) }));
    dynamo.on(PutCommand).callsFake((input: PutCommandInput) => {
      const key = String(input.Item?.pk);
      if (table.has(key)) throw conditionalCheckFailed();
      table.set(key, input.Item ?? {});
      return {};
    });
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
  });

  afterEach(() => {
    ses.reset();
    dynamo.reset();
  });

  const setup = () => {
    const logger = new Logger({ serviceName: 'notifier-test', logLevel: 'SILENT' });
    const notify = createNotifier({
      mailer: createSesMailer({ from: SENDER, client: new SESv2Client({ region: 'eu-central-1' }) }),
      notified: createNotificationLog(
        DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })),
        TABLE,
      ),
      logger,
      clock: fixedClock(NOW),
      publicBaseUrl: PUBLIC_BASE_URL,
    });
    return { notify, logger };
  };

  const sentMail = (): SendEmailCommandInput => {
    const [call] = ses.commandCalls(SendEmailCommand);
    if (!call) throw new Error('no e-mail was sent');
    return call.args[0].input;
  };
  const subjectOf = (input: SendEmailCommandInput) => input.Content?.Simple?.Subject?.Data ?? '';
  const textOf = (input: SendEmailCommandInput) => input.Content?.Simple?.Body?.Text?.Data ?? '';

  const cases: {
    detailType: AlertDetailType;
    subject: string;
    danish: string[];
    english: string[];
  }[] = [
    {
      detailType: 'DeadlineApproaching',
      subject: '[ATELIER] Slutrapport forfalder om 14 dage / Final report due in 14 days',
      danish: [
        'Frist:',
        'Slutrapport – Final report (RP3, M37–M60) in the Funding & Tenders Portal',
        'Forfaldsdato:',
        'mandag den 30. december 2024 (2024-12-30)',
        'Dage tilbage:',
      ],
      english: ['What is due:', 'Due date:', 'Monday, 30 December 2024 (2024-12-30)', 'Days left:'],
    },
    {
      detailType: 'DeadlineMissed',
      subject: '[ATELIER] Slutrapport er 1 dag over fristen / Final report is 1 day overdue',
      danish: ['Forfaldsdato:', '(2024-12-30)', 'Dage over fristen:'],
      english: ['Due date:', 'Days overdue:'],
    },
    {
      detailType: 'GrantExpiring',
      subject: '[ATELIER] Finansieringen slutter om 90 dage / Funding ends in 90 days',
      danish: ['Sidste finansieringsdag:', 'torsdag den 31. oktober 2024 (2024-10-31)', 'Dage tilbage:'],
      english: ['Funding ends on:', 'Thursday, 31 October 2024 (2024-10-31)', 'Days left:'],
    },
    {
      detailType: 'GrantExpired',
      subject: '[Øresundsmetro] Finansieringen er udløbet / Funding has ended',
      danish: ['Sidste finansieringsdag:', 'onsdag den 31. marts 2021 (2021-03-31)'],
      english: ['Funding ended on:', 'Wednesday, 31 March 2021 (2021-03-31)'],
    },
  ];

  it.each(cases)('e-mails $detailType in Danish, then English, to its recipients', async (c) => {
    // arrange
    const { notify } = setup();
    const example = EVENT_CATALOGUE[c.detailType].example;
    // act
    const outcome = await notify(delivered(c.detailType));
    // assert
    expect(outcome).toEqual({ outcome: 'sent', eventId: example.eventId });
    const mail = sentMail();
    expect(mail.FromEmailAddress).toBe(SENDER);
    expect(mail.Destination?.ToAddresses).toEqual(example.recipients);
    expect(mail.Content?.Simple?.Subject?.Charset).toBe('UTF-8');
    expect(subjectOf(mail)).toBe(c.subject);
    const text = textOf(mail);
    const englishStart = text.indexOf('English');
    expect(englishStart).toBeGreaterThan(0);
    const [danishPart, englishPart] = [text.slice(0, englishStart), text.slice(englishStart)];
    const grant = example.grant;
    // The forvaltning as people write it (ØKF for the code OKF), as in the web application.
    for (const fact of [grant.acronym, forvaltningAbbreviation(grant.forvaltning)]) {
      expect(danishPart).toContain(fact);
      expect(englishPart).toContain(fact);
    }
    expect(danishPart).toMatch(/Bevilling:\s+/);
    expect(danishPart).toMatch(/Forvaltning:\s+/);
    expect(danishPart).toMatch(/Program:\s+/);
    expect(englishPart).toMatch(/Grant:\s+/);
    expect(englishPart).toMatch(/Programme:\s+/);
    for (const line of c.danish) expect(danishPart).toContain(line);
    for (const line of c.english) expect(englishPart).toContain(line);
    if ('daysLeft' in example) {
      expect(danishPart).toMatch(new RegExp(`Dage tilbage:\\s+${example.daysLeft}\\n`));
      expect(englishPart).toMatch(new RegExp(`Days left:\\s+${example.daysLeft}\\n`));
    }
    if ('daysOverdue' in example) {
      expect(englishPart).toMatch(new RegExp(`Days overdue:\\s+${example.daysOverdue}\\n`));
    }
    expect(text).toContain(example.eventId);
  });

  it.each(['DeadlineApproaching', 'DeadlineMissed'] as const)(
    'links a %s e-mail to the deadline in the web application, in both languages',
    async (detailType) => {
      // arrange
      const { notify } = setup();
      const example = EVENT_CATALOGUE[detailType].example;
      // act
      await notify(delivered(detailType));
      // assert
      const link = `${PUBLIC_BASE_URL}/app/grants/${example.grant.grantId}#deadline-${example.deadline.deadlineId}`;
      const text = textOf(sentMail());
      expect(text).toContain(`Åbn fristen: ${link}\n`);
      expect(text).toContain(`Open the deadline: ${link}\n`);
    },
  );

  it.each(['GrantExpiring', 'GrantExpired'] as const)(
    'links a %s e-mail to the grant in the web application',
    async (detailType) => {
      const { notify } = setup();
      const example = EVENT_CATALOGUE[detailType].example;
      await notify(delivered(detailType));
      const link = `${PUBLIC_BASE_URL}/app/grants/${example.grant.grantId}`;
      const text = textOf(sentMail());
      expect(text).toContain(`Åbn bevillingen: ${link}\n`);
      expect(text).toContain(`Open the grant: ${link}\n`);
      expect(text).not.toContain('#deadline-');
    },
  );

  it('names the forvaltning and programme in full', async () => {
    const { notify } = setup();
    await notify(delivered('DeadlineApproaching'));
    const text = textOf(sentMail());
    expect(text).toContain('TMF – Teknik- og Miljøforvaltningen');
    expect(text).toContain('Horizon 2020 (H2020)');
  });

  it('words a periodic report due tomorrow and a deadline due today', async () => {
    const { notify } = setup();
    const example = EVENT_CATALOGUE.DeadlineApproaching.example;
    const periodic = { ...example.deadline, kind: 'PERIODIC_REPORT' as const };
    await notify(
      delivered('DeadlineApproaching', { ...example, deadline: periodic, daysLeft: 1, threshold: 1 }),
    );
    await notify(
      delivered('DeadlineApproaching', {
        ...example,
        eventId: 'today-1',
        deadline: periodic,
        daysLeft: 0,
        threshold: 1,
      }),
    );
    expect(ses.commandCalls(SendEmailCommand).map((call) => subjectOf(call.args[0].input))).toEqual([
      '[ATELIER] Periodisk rapport forfalder om 1 dag / Periodic report due in 1 day',
      '[ATELIER] Periodisk rapport forfalder i dag / Periodic report due today',
    ]);
  });

  it('records the e-mail after sending it, for 30 days, and sends nothing for a second delivery', async () => {
    // arrange
    const { notify } = setup();
    const event = delivered('DeadlineMissed');
    const { eventId } = EVENT_CATALOGUE.DeadlineMissed.example;
    // act
    const first = await notify(event);
    const second = await notify({ ...event, id: 'eb-2' });
    // assert
    expect(first).toEqual({ outcome: 'sent', eventId });
    expect(second).toEqual({ outcome: 'already-sent', eventId });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE,
      Key: { pk: `NOTIFIED#${eventId}`, sk: 'NOTIFIED' },
      ConsistentRead: true,
    });
    expect(dynamo).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({
        pk: `NOTIFIED#${eventId}`,
        sk: 'NOTIFIED',
        expiresAt: Date.parse(NOW) / 1000 + NOTIFIED_RETENTION_SECONDS,
      }),
    });
  });

  it('throws when SES fails, and records nothing, so the delivery is retried', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('SES is down'), { name: 'ServiceUnavailable' }));
    const { notify } = setup();
    await expect(notify(delivered('GrantExpiring'))).rejects.toThrow('SES is down');
    expect(dynamo).not.toHaveReceivedCommand(PutCommand);
    expect(table.size).toBe(0);
  });

  it('ignores an event that is not an alert, with a warning', async () => {
    const { notify, logger } = setup();
    const warn = vi.spyOn(logger, 'warn');
    const outcome = await notify(delivered('GrantRegistered'));
    expect(outcome).toEqual({ outcome: 'ignored' });
    expect(warn).toHaveBeenCalledOnce();
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('throws on an alert that breaks its contract, so it reaches the dead-letter queue', async () => {
    const { notify } = setup();
    const { recipients: _, ...withoutRecipients } = EVENT_CATALOGUE.GrantExpired.example;
    await expect(notify(delivered('GrantExpired', withoutRecipients))).rejects.toBeInstanceOf(
      EventContractError,
    );
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('does not throw when the e-mail went out but the record could not be written', async () => {
    dynamo.on(PutCommand).rejects(new Error('DynamoDB is down'));
    const { notify, logger } = setup();
    const error = vi.spyOn(logger, 'error');
    const outcome = await notify(delivered('GrantExpired'));
    expect(outcome.outcome).toBe('sent');
    expect(error).toHaveBeenCalledWith(expect.stringContaining('not recorded'), expect.anything());
  });

  it('accepts a record a concurrent delivery wrote first', async () => {
    const { notify } = setup();
    dynamo.on(GetCommand).resolves({});
    const event = delivered('DeadlineApproaching');
    await notify(event);
    await expect(notify(event)).resolves.toEqual(expect.objectContaining({ outcome: 'sent' }));
  });

  it('never logs recipient addresses', async () => {
    const { notify, logger } = setup();
    const logged: unknown[] = [];
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
        logged.push(args);
      });
    }
    await notify(delivered('DeadlineApproaching'));
    await notify(delivered('DeadlineApproaching'));
    expect(JSON.stringify(logged)).not.toMatch(/@/);
  });
});

describe('an alert e-mail as an RFC 5322 message', () => {
  const mail = {
    to: ['mobilitet@okf.kk.dk', 'pd7k@kk.dk'],
    subject: '[Øresundsmetro] Finansieringen er udløbet / Funding has ended',
    text: 'Hej,\n\nFinansieringen af Øresundsmetro er udløbet.\n',
    idempotencyKey: '822abbf0-ee20-8e65-b343-2b3bb21540a1',
  };

  const decodeWords = (value: string) =>
    value
      .split(/\r\n /)
      .map((word) => {
        const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word);
        if (!match?.[1]) throw new Error(`not an encoded-word: ${word}`);
        return Buffer.from(match[1], 'base64').toString('utf8');
      })
      .join('');

  it('encodes a non-ASCII subject as UTF-8 encoded-words of at most 75 characters', () => {
    const encoded = encodeHeaderValue(mail.subject);
    for (const word of encoded.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe(mail.subject);
    expect(encodeHeaderValue('Plain ASCII')).toBe('Plain ASCII');
  });

  it('has the headers, a blank line and the UTF-8 body with CRLF line ends', () => {
    const eml = renderEml(mail, { from: SENDER, date: new Date('2021-04-01T04:00:00.000Z') });
    const blank = eml.indexOf('\r\n\r\n');
    const [head, body] = [eml.slice(0, blank + 2), eml.slice(blank + 4)];
    expect(head).toContain(`From: ${SENDER}\r\n`);
    expect(head).toContain('To: mobilitet@okf.kk.dk,\r\n pd7k@kk.dk\r\n');
    expect(head).toContain('Date: Thu, 01 Apr 2021 04:00:00 +0000\r\n');
    expect(head).toContain(`Message-ID: <${mail.idempotencyKey}@funding-tracker.local>`);
    expect(head).toContain('Content-Type: text/plain; charset=utf-8');
    const subject = /Subject: ((?:.|\r\n )+)/.exec(head ?? '')?.[1] ?? '';
    expect(decodeWords(subject)).toBe(mail.subject);
    expect(body).toBe('Hej,\r\n\r\nFinansieringen af Øresundsmetro er udløbet.\r\n');
  });
});
