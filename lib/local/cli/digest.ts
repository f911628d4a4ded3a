import { join, resolve } from 'node:path';
import { isValidIsoDate } from '../../domain/dates';
import { ENV } from '../../shared/names';
import { IDEMPOTENCY_TABLE, LEDGER_TABLE } from '../../storage/tables';
import { localTableName } from '../dynamodb-local';
import { configureHandlerEnv } from '../handler-env';
import { lambdaContext } from '../lambda-context';
import { LOCAL_ALERT_SENDER } from '../pipeline';
import { readRunningStack, TABLE_PREFIX } from '../stack-file';
import { fail, parseFlags } from './args';

const USAGE = 'npm run digest -- [--today YYYY-MM-DD] [--data-dir DIR]';

const flags = parseFlags(USAGE, { today: { type: 'string' }, 'data-dir': { type: 'string' } });
if (flags.help) {
  process.stdout.write(
    `${USAGE}\n  Sends the weekly digest of that date's ISO week against the running local stack (to DIR/outbox/)\n  and prints a one-line JSON summary. A second run in the same week sends nothing again.\n`,
  );
  process.exit(0);
}
if (flags.today !== undefined && !isValidIsoDate(flags.today))
  fail(`--today must be a date as YYYY-MM-DD, not ${flags.today}`, 2);
const dataDir = resolve(flags['data-dir'] ?? '.local');

const main = async () => {
  const stack = await readRunningStack(dataDir);
  configureHandlerEnv(stack.dynamodbEndpoint, {
    ledger: localTableName(TABLE_PREFIX, LEDGER_TABLE),
    idempotency: localTableName(TABLE_PREFIX, IDEMPOTENCY_TABLE),
  });
  // The e-mails go where the stack's notifier puts its own, with links to the stack's web application.
  process.env[ENV.outboxDir] = join(dataDir, 'outbox');
  process.env[ENV.alertSender] ??= LOCAL_ALERT_SENDER;
  process.env[ENV.publicBaseUrl] ??= stack.apiUrl;
  // The same digest function the schedule runs; its DigestSent events reach the bus through the stack's pipeline.
  const { handler } = await import('../../../functions/digest/handler');
  const summary = await handler(flags.today ? { today: flags.today } : {}, lambdaContext('digest'));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
};

main().catch((error: Error & { summary?: unknown }) => {
  // A run that sent some digests but not all still says what it did.
  process.stderr.write(`Digest failed: ${error.message}\n`);
  if (error.summary) process.stdout.write(`${JSON.stringify(error.summary)}\n`);
  process.exitCode = 1;
});
