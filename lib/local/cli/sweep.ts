import { resolve } from 'node:path';
import { isValidIsoDate } from '../../domain/dates';
import { IDEMPOTENCY_TABLE, LEDGER_TABLE } from '../../storage/tables';
import { localTableName } from '../dynamodb-local';
import { configureHandlerEnv } from '../handler-env';
import { lambdaContext } from '../lambda-context';
import { readRunningStack, TABLE_PREFIX } from '../stack-file';
import { fail, parseFlags } from './args';

const USAGE = 'npm run sweep -- [--today YYYY-MM-DD] [--data-dir DIR]';

const flags = parseFlags(USAGE, { today: { type: 'string' }, 'data-dir': { type: 'string' } });
if (flags.help) {
  process.stdout.write(
    `${USAGE}\n  Runs one sweep against the running local stack and prints a one-line JSON summary.\n`,
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
  // The same sweeper the schedule runs; its alerts reach the bus through the running stack's pipeline.
  const { handler } = await import('../../../functions/sweeper/handler');
  const summary = await handler(flags.today ? { today: flags.today } : {}, lambdaContext('sweeper'));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
};

main().catch((error: Error) => fail(`Sweep failed: ${error.message}`));
