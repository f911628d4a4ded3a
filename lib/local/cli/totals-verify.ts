import { resolve } from 'node:path';
import { createDocumentClient } from '../../adapters/clients';
import { FORVALTNING_CODES } from '../../config/catalogues';
import { readLedgerForAudit } from '../../storage/audit';
import { LEDGER_TABLE } from '../../storage/tables';
import { expectedCells, recomputeTotals, totalsDrift } from '../../use-cases/totals';
import { issueDevToken } from '../dev-tokens';
import { localDynamoClient, localTableName } from '../dynamodb-local';
import { readRunningStack, TABLE_PREFIX } from '../stack-file';
import { fail, parseFlags } from './args';

const USAGE = 'npm run totals:verify -- [--data-dir DIR]';
const flags = parseFlags(USAGE, { 'data-dir': { type: 'string' } });
if (flags.help) {
  process.stdout.write(
    `${USAGE}\n  Recomputes every total from the grants of the running local stack and prints the drift (0 when all is well).\n`,
  );
  process.exit(0);
}
const dataDir = resolve(flags['data-dir'] ?? '.local');

const main = async () => {
  const stack = await readRunningStack(dataDir);
  const db = createDocumentClient(localDynamoClient(stack.dynamodbEndpoint));
  const { grants, payments, expectedPayments, storedCells } = await readLedgerForAudit(
    db,
    localTableName(TABLE_PREFIX, LEDGER_TABLE),
    (n) => process.stderr.write(`\rread ${n} items`),
  );
  process.stderr.write('\n');
  const expected = expectedCells(grants, payments, expectedPayments);
  const cellDrift = totalsDrift(expected, storedCells);

  // And through the API, as finance reads it.
  const token = await issueDevToken(dataDir, { email: 'totals-verify@kk.dk', roles: ['finance'] });
  const response = await fetch(`${stack.apiUrl}/totals?groupBy=forvaltning`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) return fail(`GET /totals answered ${response.status}: ${await response.text()}`);
  const api = (await response.json()) as ReturnType<typeof recomputeTotals>;
  const reference = recomputeTotals(expected, { groupBy: ['forvaltning'] });
  const apiDrift = FORVALTNING_CODES.flatMap((code) => {
    const a = api.groups.find((g) => g.key.forvaltning === code);
    const r = reference.groups.find((g) => g.key.forvaltning === code);
    return JSON.stringify(a ?? null) === JSON.stringify(r ?? null)
      ? []
      : [{ forvaltning: code, api: a, recomputed: r }];
  });

  const summary = {
    grants: grants.length,
    payments: payments.length,
    expectedPayments: expectedPayments.length,
    cells: expected.size,
    drift: cellDrift.length + apiDrift.length,
    cellDrift: cellDrift.slice(0, 20),
    apiDrift,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (summary.drift > 0) process.exitCode = 1;
};

main().catch((error: Error) => fail(`Verification failed: ${error.message}`));
