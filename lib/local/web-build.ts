import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm start` serves web/dist; this rebuilds it when the app's sources changed since the last build,
 * so the one command still does everything. "Changed" is a hash over the sources (web/ and the
 * library code it bundles), kept beside the build; the build goes to a scratch folder and replaces
 * web/dist whole, so a running server never serves half a build.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WEB = join(REPO, 'web');
const DIST = join(WEB, 'dist');
const HASH_FILE = '.sources-hash';
const LOCK_DIR = join(WEB, '.build-lock');
/**
 * What the build reads besides web/: the generated API client, the catalogues of codes, and the
 * library code the pages run in the browser (the importer's core, money, the CSV writer) with what
 * that imports (the domain's schemas and rules, the API's field-error wording).
 */
const sourcesOf = (repo: string) => [
  join(repo, 'web'),
  join(repo, 'lib', 'api-client'),
  join(repo, 'lib', 'config'),
  join(repo, 'lib', 'import'),
  join(repo, 'lib', 'domain'),
  join(repo, 'lib', 'api'),
  join(repo, 'package-lock.json'),
];
const SKIP = new Set(['dist', 'screenshots', 'node_modules', '.build-lock']);

const filesUnder = async (path: string): Promise<string[]> => {
  const entries = await readdir(path, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR') return undefined;
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries === undefined) return [path];
  const nested = await Promise.all(
    entries
      .filter((entry) => !SKIP.has(entry.name) && !entry.name.startsWith('.dist-'))
      .map((entry) => filesUnder(join(path, entry.name))),
  );
  return nested.flat();
};

/** A hash of every source file's path and content (not the build, not the screenshots). */
export const webSourcesHash = async (repo: string = REPO): Promise<string> => {
  const files = (await Promise.all(sourcesOf(repo).map(filesUnder))).flat().sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(repo, file));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
};

const builtHash = () => readFile(join(DIST, HASH_FILE), 'utf8').catch(() => '');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One build at a time across processes (two stacks starting at once); a dead holder's lock is taken over. */
const withLock = async <T>(work: () => Promise<T>): Promise<T> => {
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(join(LOCK_DIR, 'pid'), 'utf8').catch(() => '0'));
      if (holder && !alive(holder)) await rm(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
};

export interface WebBuildResult {
  readonly built: boolean;
  readonly hash: string;
}

/** Builds web/dist unless it was built from exactly these sources. */
export const ensureWebBuild = async (log: (line: string) => void = () => {}): Promise<WebBuildResult> => {
  const hash = await webSourcesHash();
  if ((await builtHash()) === hash) return { built: false, hash };
  return withLock(async () => {
    // Another process may have built it while this one waited.
    const now = await webSourcesHash();
    if ((await builtHash()) === now) return { built: false, hash: now };
    log('Building the web application (web/ changed since the last build) …');
    const scratch = join(WEB, `.dist-${process.pid}`);
    const { build } = await import('vite');
    // A test runner sets NODE_ENV=test, which would give React's development build: what is
    // served (and weighed against the first page's budget) is always the production one.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        configFile: join(WEB, 'vite.config.ts'),
        mode: 'production',
        logLevel: 'warn',
        build: { outDir: scratch, emptyOutDir: true },
      });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    await writeFile(join(scratch, HASH_FILE), now);
    await rm(DIST, { recursive: true, force: true });
    await rename(scratch, DIST);
    log('Web application built.');
    return { built: true, hash: now };
  });
};
