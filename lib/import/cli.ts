import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FORVALTNING_CODES } from '../config/catalogues';
import { copenhagenDateOf, systemClock } from '../domain/dates';
import { EmailSchema } from '../domain/schemas';
import { fail } from '../local/cli/args';
import { issueDevToken } from '../local/dev-tokens';
import { readRunningStack } from '../local/stack-file';
import { AuthError, createGrantsClient, type GrantsClient, TransientError } from './api-client';
import { appliedSummary, applyPlan, DEFAULT_CONCURRENCY, type ImportOptions, planFiles } from './index';
import { decodeWindows1252, readImportFiles, UnreadablePathError } from './node';
import { describePlan, emptySummary, formatSummary, type Summary } from './report';
import { formatRowError } from './rows';

const USAGE = [
  'npm run import -- FILE [--dry-run] [--data-dir DIR | --api URL --token T] [--email E] [--concurrency N]',
  '       npm run import -- --cordis PATH [--cordis PATH …] --pic PIC --forvaltning CODE [--lead-name N --lead-email E] [--dry-run] [--data-dir DIR | --api URL --token T]',
].join('\n');

const HELP = `${USAGE}

  FILE               CSV (comma or semicolon; UTF-8 or Windows-1252) or XLSX, one grant per row
  --cordis PATH      a CORDIS bulk download (FP7, H2020 or HORIZON): the zip as downloaded
                     (cordis-h2020projects-csv.zip, …) or its unzipped folder; may be repeated
  --pic PIC          the participant whose projects to register (KK's 9-digit PIC)
  --forvaltning CODE the forvaltning the CORDIS projects belong to (${FORVALTNING_CODES.join(', ')})
  --lead-name N, --lead-email E
                     the project lead of new CORDIS grants (default: the caller)
  --dry-run          validate and show what would be created or updated; write nothing
  --data-dir DIR     the running local stack (default .local); a lear-admin token is made for it
  --email E          who the local token is for (default import@kk.dk)
  --api URL          a deployed API instead; with --token T or $FUNDING_TRACKER_TOKEN (lear-admin)
  --concurrency N    grants written at once (default ${DEFAULT_CONCURRENCY}; 1 writes row by row)

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
        cordis: { type: 'string', multiple: true },
        concurrency: { type: 'string' },
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
if (cordisMode && positionals.length) usageError('Give either FILE or --cordis PATH, not both.');
if (!cordisMode && positionals.length !== 1) usageError('Give one FILE to import (or --cordis PATH).');
const concurrency = flags.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(flags.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
  usageError(`--concurrency must be a whole number from 1 to 64, not ${flags.concurrency}.`);
}
if (flags.api && flags['data-dir']) usageError('Give either --data-dir DIR or --api URL, not both.');
if (flags.token && !flags.api) usageError('--token goes with --api URL.');
if (flags.email && flags.api)
  usageError('--email names the user of the local token; with --api the token says who you are.');
if (!cordisMode) {
  for (const flag of ['pic', 'forvaltning', 'lead-name', 'lead-email'] as const) {
    if (flags[flag] !== undefined) usageError(`--${flag} goes with --cordis PATH.`);
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

/** The files to read and how: a spreadsheet, or CORDIS with the PIC, forvaltning and lead. */
const readInput = async (): Promise<{
  files: Awaited<ReturnType<typeof readImportFiles>>;
  options: ImportOptions;
}> => {
  const paths = (cordisMode ? (flags.cordis ?? []) : positionals).map((path) => resolve(path));
  const files = await readImportFiles(paths).catch((error: Error) =>
    error instanceof UnreadablePathError ? fail(error.message) : Promise.reject(error),
  );
  if (!cordisMode) return { files, options: { decodeWindows1252 } };
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
  return {
    files,
    options: {
      decodeWindows1252,
      cordis: {
        pic: flags.pic as string,
        forvaltning: (flags.forvaltning as string).toUpperCase(),
        lead,
        defaultLead,
        today: copenhagenDateOf(systemClock.now()),
      },
    },
  };
};

const finish = (summary: Summary, code: number): never => {
  out();
  for (const line of formatSummary(summary)) out(line);
  process.exit(code);
};

const main = async () => {
  if (flags.api && !apiToken()) usageError('--api URL needs --token T (or $FUNDING_TRACKER_TOKEN).');
  const { files, options } = await readInput();
  // Connected on first use: a file with invalid rows is reported without asking the API anything.
  let connected: Promise<GrantsClient> | undefined;
  const api = () =>
    (connected ??= connect().then(({ apiUrl, token }) => createGrantsClient({ baseUrl: apiUrl, token })));
  const register = {
    listGrants: async (onPage?: (count: number) => void) => (await api()).listGrants(onPage),
    getGrant: async (grantId: string) => (await api()).getGrant(grantId),
  };
  const plan = await planFiles(files, options, register, {
    onRegister: (count) => progress.update(`reading the register: ${count} grants`),
    onCompare: (done, total) => {
      progress.enabled = total > PROGRESS_FROM_ROWS;
      if (done % PROGRESS_EVERY === 0 || done === total) progress.update(`comparing: ${done}/${total} rows`);
    },
  });
  progress.end();
  out(`${dryRun ? 'Dry run of the import' : 'Importing'} ${plan.description}`);
  if (plan.errors.length) {
    for (const error of plan.errors) err(formatRowError(error));
    err(`${plan.invalidLines} invalid ${plan.invalidLines === 1 ? 'row' : 'rows'}: nothing was imported.`);
    return finish(emptySummary(dryRun, plan.invalidLines), 1);
  }

  for (const line of describePlan(plan.rows)) out(line);
  if (dryRun) {
    out('Nothing was written (--dry-run).');
    return finish(plan.summary, 0);
  }

  progress.enabled = plan.rows.length > PROGRESS_FROM_ROWS;
  const result = await applyPlan(plan, await api(), {
    concurrency,
    onProgress: (done, total) => {
      if (done % PROGRESS_EVERY === 0 || done === total) progress.update(`importing: ${done}/${total} rows`);
    },
  });
  progress.end();
  for (const error of result.errors) err(formatRowError(error));
  if (result.failed)
    err(`${result.failed} ${result.failed === 1 ? 'row' : 'rows'} failed; the others were imported.`);
  return finish(appliedSummary(result), result.failed ? 1 : 0);
};

main().catch((error: Error) => {
  progress.end();
  if (error instanceof AuthError) return fail(error.message);
  if (error instanceof TransientError) return fail(`The API cannot be reached: ${error.message}`);
  return fail(`Import failed: ${error.message}`);
});
