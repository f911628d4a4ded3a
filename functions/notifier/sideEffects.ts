import { Logger } from '@aws-lambda-powertools/logger';
import { BACKGROUND_BUDGET, createDocumentClient, createDynamoClient } from '../../lib/adapters/clients';
import { createOutboxMailer, createSesMailer } from '../../lib/adapters/mailer';
import { systemClock } from '../../lib/domain/dates';
import { readConfig } from '../../lib/shared/config';
import { ENV } from '../../lib/shared/names';
import type { NotifierDeps } from './app';
import { createNotificationLog } from './notified';

/**
 * Production ports, built once per cold start. Local mode sets OUTBOX_DIR and gets the outbox-folder
 * mailer; in AWS it is unset and e-mails go through SES.
 */
export const sideEffects = (env: NodeJS.ProcessEnv = process.env): NotifierDeps => {
  const config = readConfig([ENV.tableName, ENV.alertSender, ENV.publicBaseUrl], env);
  const from = config[ENV.alertSender];
  const mailer =
    env[ENV.outboxDir] !== undefined
      ? createOutboxMailer({ dir: readConfig([ENV.outboxDir], env)[ENV.outboxDir], from })
      : createSesMailer({ from });
  return {
    mailer,
    notified: createNotificationLog(
      createDocumentClient(createDynamoClient(undefined, BACKGROUND_BUDGET)),
      config[ENV.tableName],
    ),
    logger: new Logger({ serviceName: 'notifier' }),
    clock: systemClock,
    publicBaseUrl: config[ENV.publicBaseUrl],
  };
};
