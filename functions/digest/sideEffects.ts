import { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import { BACKGROUND_BUDGET, createDocumentClient, createDynamoClient } from '../../lib/adapters/clients';
import { createOutboxMailer, createSesMailer } from '../../lib/adapters/mailer';
import { systemClock } from '../../lib/domain/dates';
import { readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import { Ledger } from '../../lib/storage/ledger';
import type { DigestDeps } from './app';
import { composeDigestMessage } from './message';

/**
 * Production ports, built once per cold start. Local mode sets OUTBOX_DIR and gets the outbox-folder
 * mailer; in AWS it is unset and e-mails go through SES, from the same sender as the alerts.
 */
export const sideEffects = (env: NodeJS.ProcessEnv = process.env): DigestDeps => {
  const config = readConfig([ENV.tableName, ENV.alertSender, ENV.publicBaseUrl], env);
  const from = config[ENV.alertSender];
  const mailer =
    env[ENV.outboxDir] !== undefined
      ? createOutboxMailer({ dir: readConfig([ENV.outboxDir], env)[ENV.outboxDir], from })
      : createSesMailer({ from });
  // Nobody waits at a screen for a digest: each call gets the background budget (lib/adapters/clients.ts).
  const db = createDocumentClient(createDynamoClient(undefined, BACKGROUND_BUDGET));
  return {
    ledger: new Ledger(db, config[ENV.tableName]),
    mailer,
    clock: systemClock,
    newId: ulid,
    publicBaseUrl: config[ENV.publicBaseUrl],
    compose: composeDigestMessage,
    logger: new Logger({ serviceName: 'digest' }),
  };
};
