import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isValidIsoDate } from '../../domain/dates';
import { ENV } from '../../shared/names';
import { IDEMPOTENCY_TABLE, LEDGER_TABLE } from '../../storage/tables';
import { localTableName } from '../dynamodb-local';
import { lambdaContext } from '../lambda-context';
import { STACK_FILE, type StackInfo, TABLE_PREFIX } from '../stack';
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
  let stack: Partial<StackInfo>;
  try {
    stack = JSON.parse(await readFile(join(dataDir, STACK_FILE), 'utf8')) as Partial<StackInfo>;
  } catch {
    return fail(
      `No running stack in ${dataDir} (no ${STACK_FILE}). Start it with: npm start -- --data-dir ${dataDir}`,
    );
  }
  if (!stack.dynamodbEndpoint)
    return fail(`The stack in ${dataDir} is not running. Start it with: npm start -- --data-dir ${dataDir}`);
  process.env[ENV.dynamodbEndpoint] = stack.dynamodbEndpoint;
  process.env[ENV.tableName] = localTableName(TABLE_PREFIX, LEDGER_TABLE);
  process.env[ENV.idempotencyTableName] = localTableName(TABLE_PREFIX, IDEMPOTENCY_TABLE);
  process.env.AWS_REGION ??= 'eu-central-1';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // The same sweeper the schedule runs; its alerts reach the bus through the running stack's pipeline.
  const { handler } = await import('../../../functions/sweeper/handler');
  const summary = await handler(flags.today ? { today: flags.today } : {}, lambdaContext('sweeper'));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
};

main().catch((error: Error) => fail(`Sweep failed: ${error.message}`));
