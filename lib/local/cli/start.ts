import { join, resolve } from 'node:path';
import { ROLES } from '../../shared/names';
import { issueDevToken } from '../dev-tokens';
import { startLocalStack } from '../stack';
import { ensureWebBuild } from '../web-build';
import { fail, parseFlags } from './args';

const USAGE = 'npm start -- [--data-dir DIR] [--port N] [--no-seed] [--no-web-build]';

const flags = parseFlags(USAGE, {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  'no-seed': { type: 'boolean' },
  'no-web-build': { type: 'boolean' },
});
if (flags.help) {
  process.stdout.write(
    `${USAGE}\n  --data-dir DIR  where data, keys and events are kept (default .local)\n  --port N        API port (default $PORT or 3000; 0 picks a free one)\n  --no-seed       do not load the demo portfolio on first start\n  --no-web-build  serve web/dist as it is, without rebuilding it when web/ changed\n`,
  );
  process.exit(0);
}

const dataDir = resolve(flags['data-dir'] ?? '.local');
const portText = flags.port ?? process.env.PORT ?? '3000';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65_535)
  fail(`--port must be a port number, not ${portText}\nUsage: ${USAGE}`, 2);

const log = (line: string) => process.stdout.write(`${line}\n`);

const main = async () => {
  // The API starts even when the app cannot be built; the app's pages then say it is not built.
  if (!flags['no-web-build'])
    await ensureWebBuild(log).catch((error: Error) =>
      log(`The web application could not be built: ${error.message}`),
    );
  const stack = await startLocalStack({ dataDir, port, seed: !flags['no-seed'], log });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log('Stopping now.');
      process.exit(1);
    }
    stopping = true;
    log(`\n${signal}: stopping …`);
    await stack.stop();
    log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const tokens = await Promise.all(
    ROLES.map(
      async (role) =>
        [role, await issueDevToken(dataDir, { email: `${role}@kk.dk`, roles: [role] })] as const,
    ),
  );
  const seeded = stack.seeded
    ? `loaded ${stack.seeded.created} grants of the demo portfolio`
    : flags['no-seed']
      ? 'not loaded (--no-seed)'
      : 'already loaded';
  log(
    [
      '',
      'Funding tracker is running locally.',
      `  App           ${stack.apiUrl}/   (sign in as any role on ${stack.apiUrl}/app/sign-in)`,
      `  API           ${stack.apiUrl}   (OpenAPI: ${stack.apiUrl}/openapi.json, reference: ${stack.apiUrl}/docs)`,
      `  DynamoDB      ${stack.dynamodbEndpoint}   (data in ${join(dataDir, 'dynamodb')})`,
      `  Event bus     ${stack.eventBusEndpoint}   → ${join(dataDir, 'events.jsonl')}`,
      `  E-mail        ${join(dataDir, 'outbox')}/`,
      `  Demo data     ${seeded}`,
      '  Sweeper       ran at start; next at 06:00 Europe/Copenhagen',
      '',
      'Dev tokens, valid 12 hours (new ones: npm run token -- --role ROLE --email E):',
      ...tokens.map(([role, token]) => `  ${role.padEnd(13)} ${token}`),
      '',
      'Try:',
      `  TOKEN=$(npm run token -- --role lear-admin --email lear@kk.dk --data-dir ${dataDir})`,
      `  curl -H "Authorization: Bearer $TOKEN" ${stack.apiUrl}/grants`,
      '',
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
};

main().catch((error: Error) => fail(`Could not start: ${error.message}`));
