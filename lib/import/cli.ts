import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FORVALTNING_CODES } from '../config/catalogues';
import { copenhagenDateOf, systemClock } from '../domain/dates';
import { EmailSchema } from '../domain/schemas';
import { fail } from '../local/cli/args';
import { issueDevToken } from '../local/dev-tokens';
import { readRunningStack } from '../local/stack-file';
import { AuthError, createGrantsClient, TransientError } from './api-client';
import { mapCordis, ORGANIZATION_FILE, PROJECT_FILE } from './cordis';
import { SheetError } from './csv';
import { planImport } from './plan';
import { describePlan, emptySummary, formatSummary, plannedSummary, type Summary } from './report';
import { formatRowError, type MappedRows, mapSheet } from './rows';
import { runPlan } from './run';
import { readSheet } from './sheet';

const USAGE = [
  'npm run import -- FILE [--dry-run] [--data-dir DIR | --api URL --token T] [--email E]',
  '       npm run import -- --cordis DIR --pic PIC --forvaltning CODE [--lead-name N --lead-email E] [--dry-run] [--data-dir DIR | --api URL --token T]',
].join('\n');

const HELP = `${USAGE}

  FILE               CSV (comma or semicolon; UTF-8 or Windows-1252) or XLSX, one grant per row
  --cordis DIR       a CORDIS bulk download (H2020 or HORIZON) with ${PROJECT_FILE} and ${ORGANIZATION_FILE}
  --pic PIC          the participant whose projects to register (KK's 9-digit PIC)
  --forvaltning CODE the forvaltning the CORDIS projects belong to (${FORVALTNING_CODES.join(', ')})
  --lead-name N, --lead-email E
                     the project lead of new CORDIS grants (default: the caller)
  --dry-run          validate and show what would be created or updated; write nothing
  --data-dir DIR     the running local stack (default .local); a lear-admin token is made for it
  --email E          who the local token is for (default import@kk.dk)
  --api URL          a deployed API instead; with --token T or $FUNDING_TRACKER_TOKEN (lear-admin)

Prints what it does, a summary table and, last, the summary as one line of JSON. Errors go to
stderr as "line N: column: message". A file with any invalid row writes nothing; exit code 1.`;

/** Written by the running local stack (PRODUCT.md 5); named here so the importer does not load the stack. */

const usageError = (message: string): never => fail(`${message}\nUsage: ${USAGE}`, 2);

const parseCli = () => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: {
        'dry-run': { type: 'boolean' },
        'data-dir': { type: 'string' },
        api: { type: 'string' },
        token: { type: 'string' },
        email: { type: 'string' },
        cordis: { type: 'string' },
        pic: { type: 'string' },
        forvaltning: { type: 'string' },
        'lead-name': { type: 'string' },
        'lead-email': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
};
const { values: flags, positionals } = parseCli();
if (flags.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const cordisMode = flags.cordis !== undefined;
if (cordisMode && positionals.length) usageError('Give either FILE or --cordis DIR, not both.');
if (!cordisMode && positionals.length !== 1) usageError('Give one FILE to import (or --cordis DIR).');
if (flags.api && flags['data-dir']) usageError('Give either --data-dir DIR or --api URL, not both.');
if (flags.token && !flags.api) usageError('--token goes with --api URL.');
if (flags.email && flags.api)
  usageError('--email names the user of the local token; with --api the token says who you are.');
if (!cordisMode) {
  for (const flag of ['pic', 'forvaltning', 'lead-name', 'lead-email'] as const) {
    if (flags[flag] !== undefined) usageError(`--${flag} goes with --cordis DIR.`);
  }
}
if (cordisMode) {
  if (!flags.pic || !/^\d{9}$/.test(flags.pic)) usageError('--pic must be a 9-digit PIC.');
  if (!flags.forvaltning || !FORVALTNING_CODES.includes(flags.forvaltning.toUpperCase())) {
    usageError(`--forvaltning must be one of ${FORVALTNING_CODES.join(', ')}.`);
  }
  if ((flags['lead-name'] === undefined) !== (flags['lead-email'] === undefined)) {
    usageError('--lead-name and --lead-email go together.');
  }
  if (flags['lead-email'] && !EmailSchema.safeParse(flags['lead-email']).success) {
    usageError(`--lead-email must be an e-mail address, not ${flags['lead-email']}.`);
  }
}
const email = flags.email ?? 'import@kk.dk';
if (!EmailSchema.safeParse(email).success) usageError(`--email must be an e-mail address, not ${email}.`);
const dryRun = flags['dry-run'] === true;

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** `\r`-updated progress on stderr, shown for files long enough to need it. */
const progress = (() => {
  let shown = false;
  return {
    enabled: false,
    update(text: string) {
      if (!this.enabled) return;
      shown = true;
      process.stderr.write(`\r${text}`);
    },
    end() {
      if (shown) process.stderr.write('\n');
      shown = false;
    },
  };
})();
const PROGRESS_FROM_ROWS = 50;
const PROGRESS_EVERY = 10;

interface Connection {
  readonly apiUrl: string;
  readonly token: string;
}

/** The claims of a JWT, read without verifying it (the API verifies it): only to name the caller. */
const claimsOf = (token: string): Record<string, unknown> => {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
};

const apiToken = () => flags.token ?? process.env.FUNDING_TRACKER_TOKEN;

/** Who the import speaks for: the default lead of new CORDIS grants. */
const callerOf = (): { name: string; email: string } | undefined => {
  if (!flags.api) return { name: email, email };
  const claims = claimsOf(apiToken() ?? '');
  const tokenEmail = typeof claims.email === 'string' ? claims.email : undefined;
  const name = typeof claims.name === 'string' ? claims.name : tokenEmail;
  return tokenEmail && name ? { name, email: tokenEmail } : undefined;
};

const connect = async (): Promise<Connection> => {
  if (flags.api) {
    const token = apiToken();
    if (!token) return usageError('--api URL needs --token T (or $FUNDING_TRACKER_TOKEN).');
    if (!/^https?:\/\//.test(flags.api)) return usageError(`--api must be an http(s) URL, not ${flags.api}.`);
    return { apiUrl: flags.api, token };
  }
  const dataDir = resolve(flags['data-dir'] ?? '.local');
  const stack = await readRunningStack(dataDir).catch((error: Error) => fail(error.message));
  const token = await issueDevToken(dataDir, { email, roles: ['lear-admin'] });
  return { apiUrl: stack.apiUrl, token };
};

const readInput = async (): Promise<{ description: string; mapped: MappedRows }> => {
  if (cordisMode) {
    const dir = resolve(flags.cordis as string);
    const read = (file: string) =>
      readFile(join(dir, file)).catch(() =>
        fail(
          `${join(dir, file)} cannot be read; --cordis names the folder with ${PROJECT_FILE} and ${ORGANIZATION_FILE}.`,
        ),
      );
    const [project, organization] = [await read(PROJECT_FILE), await read(ORGANIZATION_FILE)];
    const lead =
      flags['lead-name'] && flags['lead-email']
        ? { name: flags['lead-name'], email: flags['lead-email'] }
        : undefined;
    const defaultLead = lead ?? callerOf();
    if (!defaultLead) {
      return usageError(
        'The token names no e-mail address to make the project lead; give --lead-name and --lead-email.',
      );
    }
    const mapped = mapCordis(
      { project, organization },
      {
        pic: flags.pic as string,
        forvaltning: (flags.forvaltning as string).toUpperCase(),
        lead,
        defaultLead,
        today: copenhagenDateOf(systemClock.now()),
      },
    );
    return { description: `CORDIS ${dir}, PIC ${flags.pic}`, mapped };
  }
  const file = resolve(positionals[0] as string);
  const bytes = await readFile(file).catch((error: Error) =>
    fail(`${file} cannot be read: ${error.message}`),
  );
  const sheet = await readSheet(bytes);
  return { description: `${file} (${sheet.description})`, mapped: mapSheet(sheet) };
};

const finish = (summary: Summary, code: number): never => {
  out();
  for (const line of formatSummary(summary)) out(line);
  process.exit(code);
};

const main = async () => {
  if (flags.api && !apiToken()) usageError('--api URL needs --token T (or $FUNDING_TRACKER_TOKEN).');
  let input: Awaited<ReturnType<typeof readInput>>;
  try {
    input = await readInput();
  } catch (error) {
    if (error instanceof SheetError) {
      return fail(error.describe());
    }
    throw error;
  }
  const { description, mapped } = input;
  out(`${dryRun ? 'Dry run of the import' : 'Importing'} ${description}`);
  progress.enabled = mapped.rows.length + mapped.invalidLines > PROGRESS_FROM_ROWS;

  // Every row is valid before anything is read from or written to the register.
  if (mapped.errors.length) {
    for (const error of mapped.errors) err(formatRowError(error));
    err(
      `${mapped.invalidLines} invalid ${mapped.invalidLines === 1 ? 'row' : 'rows'}: nothing was imported.`,
    );
    return finish(emptySummary(dryRun, mapped.invalidLines), 1);
  }

  const connection = await connect();
  const client = createGrantsClient({ baseUrl: connection.apiUrl, token: connection.token });
  const existing = await client.listGrants((count) =>
    progress.update(`reading the register: ${count} grants`),
  );
  progress.end();
  const plan = await planImport(mapped.rows, existing, {
    loadPayments: async (grantId) => (await client.getGrant(grantId)).payments ?? [],
    onProgress: (done, total) => {
      if (done % PROGRESS_EVERY === 0 || done === total) progress.update(`comparing: ${done}/${total} rows`);
    },
  });
  progress.end();
  if (plan.errors.length) {
    for (const error of plan.errors) err(formatRowError(error));
    err(`${plan.invalidLines} invalid ${plan.invalidLines === 1 ? 'row' : 'rows'}: nothing was imported.`);
    return finish(emptySummary(dryRun, plan.invalidLines), 1);
  }

  for (const line of describePlan(plan.rows)) out(line);
  if (dryRun) {
    out('Nothing was written (--dry-run).');
    return finish(plannedSummary(plan.rows, true), 0);
  }

  const result = await runPlan(plan.rows, client, {
    onProgress: (done, total) => {
      if (done % PROGRESS_EVERY === 0 || done === total) progress.update(`importing: ${done}/${total} rows`);
    },
  });
  progress.end();
  for (const error of result.errors) err(formatRowError(error));
  if (result.failed)
    err(`${result.failed} ${result.failed === 1 ? 'row' : 'rows'} failed; the others were imported.`);
  return finish(
    {
      created: result.created,
      updated: result.updated,
      unchanged: result.unchanged,
      invalid: 0,
      failed: result.failed,
      paymentsRecorded: result.paymentsRecorded,
      dryRun: false,
    },
    result.failed ? 1 : 0,
  );
};

main().catch((error: Error) => {
  progress.end();
  if (error instanceof AuthError) return fail(error.message);
  if (error instanceof TransientError) return fail(`The API cannot be reached: ${error.message}`);
  return fail(`Import failed: ${error.message}`);
});
