import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { type Clock, systemClock } from '../domain/dates';
import { createSesClient } from './clients';

/**
 * The notifier's way out: one plain-text e-mail to its recipients. In AWS it is Amazon SES; in
 * local mode a folder that receives one .eml file per e-mail (PRODUCT.md 5, `DIR/outbox/`).
 */
export interface Mail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  /** The same for every delivery of one notification (the alert's eventId). */
  readonly idempotencyKey: string;
  /** When the notified event happened (ISO 8601); the outbox folder sorts its files by it. */
  readonly occurredAt?: string;
  /** Further headers, ASCII only, e.g. RFC 8058's List-Unsubscribe and List-Unsubscribe-Post. */
  readonly headers?: Readonly<Record<string, string>>;
}

const extraHeaders = (mail: Mail): { Name: string; Value: string }[] =>
  Object.entries(mail.headers ?? {}).map(([Name, Value]) => ({ Name, Value }));

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** Header values SES and mail clients accept: printable ASCII without the separators that break tags. */
const tagValue = (value: string): string => value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 256);

/**
 * Amazon SES v2 SendEmail. SES has no idempotency token, so the key travels as a header and a
 * message tag (for event publishing); deduplication is the notifier's job. Errors are thrown so the
 * caller's delivery is retried.
 */
export const createSesMailer = (options: { from: string; client?: SESv2Client }): Mailer => {
  const client = options.client ?? createSesClient();
  return {
    send: async (mail) => {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [...mail.to] },
          Content: {
            Simple: {
              Subject: { Data: mail.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
              Headers: [
                { Name: 'X-Funding-Tracker-Event-Id', Value: tagValue(mail.idempotencyKey) },
                ...extraHeaders(mail),
              ],
            },
          },
          EmailTags: [{ Name: 'eventId', Value: tagValue(mail.idempotencyKey) }],
        }),
      );
    },
  };
};

// ---- The local outbox folder ----

const isAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

/**
 * An RFC 2047 encoded-word header value (UTF-8, base64) for text that is not plain ASCII. Each word
 * stays within 75 characters and never splits a character, as the RFC asks.
 */
export const encodeHeaderValue = (text: string): string => {
  if (isAscii(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ');
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** RFC 5322 date-time in UTC, e.g. "Mon, 16 Dec 2024 05:00:00 +0000". */
export const rfc5322Date = (at: Date): string =>
  `${DAYS[at.getUTCDay()]}, ${pad(at.getUTCDate())} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()} ` +
  `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;

/** The e-mail as an RFC 5322 message: headers, a blank line, the UTF-8 text body; CRLF line ends. */
export const renderEml = (mail: Mail, envelope: { from: string; date: Date }): string => {
  const headers = [
    `From: ${envelope.from}`,
    `To: ${mail.to.join(',\r\n ')}`,
    `Subject: ${encodeHeaderValue(mail.subject)}`,
    `Date: ${rfc5322Date(envelope.date)}`,
    `Message-ID: <${tagValue(mail.idempotencyKey)}@funding-tracker.local>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    `X-Funding-Tracker-Event-Id: ${tagValue(mail.idempotencyKey)}`,
    ...extraHeaders(mail).map(({ Name, Value }) => `${Name}: ${Value}`),
  ];
  const body = mail.text.replace(/\r?\n/g, '\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}${body.endsWith('\r\n') ? '' : '\r\n'}`;
};

/** "2024-12-16T05:00:00.000Z" → "20241216T050000Z": sorts by time and is a valid file name everywhere. */
const fileTimestamp = (iso: string): string => {
  const at = new Date(iso);
  const safe = Number.isNaN(at.getTime()) ? new Date(0) : at;
  return safe
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
};

/**
 * Local mode: each e-mail becomes `<occurredAt>-<idempotencyKey>.eml` in the folder. A key already
 * there is not written again, and a file appears whole or not at all (written aside, then linked in,
 * which fails rather than overwrite), so a redelivered notification never makes a second file.
 */
export const createOutboxMailer = (options: { dir: string; from: string; clock?: Clock }): Mailer => {
  const clock = options.clock ?? systemClock;
  return {
    send: async (mail) => {
      await mkdir(options.dir, { recursive: true });
      const key = tagValue(mail.idempotencyKey);
      const suffix = `-${key}.eml`;
      if ((await readdir(options.dir)).some((name) => name.endsWith(suffix))) return;
      const now = clock.now();
      const name = `${fileTimestamp(mail.occurredAt ?? now.toISOString())}${suffix}`;
      const temp = join(options.dir, `.${key}.${randomBytes(4).toString('hex')}.tmp`);
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(renderEml(mail, { from: options.from, date: now }), 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      try {
        await link(temp, join(options.dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await unlink(temp);
      }
    },
  };
};
