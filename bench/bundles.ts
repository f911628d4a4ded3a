import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median } from './stats';

/**
 * Each Lambda bundled as the CDK stack bundles it (infra/function.ts, AppFunction's `bundling`):
 * esbuild, ESM, platform node, target node22, main fields module,main, minified, an external source
 * map without sources, the createRequire banner, and `@aws-sdk/*` left out (the runtime ships it).
 * Then its cold import time: fresh `node` processes each importing the bundle once.
 */

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BundleFigures {
  readonly fn: string;
  readonly bytes: number;
  readonly kb: number;
  readonly coldImportMs: number;
  readonly coldImportRuns: readonly number[];
  /** The largest inputs by bytes in the bundle. */
  readonly topInputs: readonly { readonly input: string; readonly kb: number }[];
}

const BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export const functionNames = async (): Promise<string[]> => {
  const dirs = await readdir(join(ROOT, 'functions'), { withFileTypes: true });
  const names: string[] = [];
  for (const dir of dirs) {
    if (!dir.isDirectory()) continue;
    const exists = await stat(join(ROOT, 'functions', dir.name, 'handler.ts')).catch(() => undefined);
    if (exists) names.push(dir.name);
  }
  return names.sort();
};

const bundle = async (fn: string, outdir: string) => {
  const outfile = join(outdir, fn, 'index.mjs');
  const result = await build({
    entryPoints: [join(ROOT, 'functions', fn, 'handler.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    banner: { js: BANNER },
    external: ['@aws-sdk/*'],
    logLevel: 'warning',
    metafile: true,
  });
  const output =
    result.metafile.outputs[Object.keys(result.metafile.outputs).find((o) => o.endsWith('.mjs')) ?? ''];
  const byPackage = new Map<string, number>();
  for (const [input, info] of Object.entries(output?.inputs ?? {})) {
    const parts = input.split('/');
    const at = parts.indexOf('node_modules');
    const key =
      at >= 0
        ? parts.slice(at + 1, at + ((parts[at + 1] ?? '').startsWith('@') ? 3 : 2)).join('/')
        : parts.slice(0, 2).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
  }
  const topInputs = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([input, bytes]) => ({ input, kb: Math.round((bytes / 1024) * 10) / 10 }));
  return { outfile, bytes: (await stat(outfile)).size, topInputs };
};

/** Environment a Lambda of the stack has at cold start (the values are placeholders). */
const LAMBDA_ENV: Record<string, string> = {
  LEDGER_TABLE_NAME: 'funding-tracker-ledger',
  IDEMPOTENCY_TABLE_NAME: 'funding-tracker-idempotency',
  EVENT_BUS_NAME: 'funding-tracker',
  ALERT_SENDER: 'alerts@kk.dk',
  STAGE: 'bench',
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_SERVICE_NAME: 'bench',
  NODE_OPTIONS: '--enable-source-maps',
};

const IMPORT_SCRIPT =
  'const t = performance.now(); await import(process.env.BENCH_BUNDLE); process.stdout.write(JSON.stringify({ ms: performance.now() - t }));';

const coldImport = (bundlePath: string): Promise<number> =>
  new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', IMPORT_SCRIPT],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          ...LAMBDA_ENV,
          BENCH_BUNDLE: bundlePath,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`importing ${bundlePath} failed: ${stderr || error.message}`));
        try {
          resolvePromise((JSON.parse(stdout) as { ms: number }).ms);
        } catch {
          reject(new Error(`importing ${bundlePath} printed ${stdout} ${stderr}`));
        }
      },
    );
  });

export const measureBundles = async (options: {
  readonly runs: number;
  readonly log: (line: string) => void;
}): Promise<BundleFigures[]> => {
  // The bundles sit in a temp dir whose node_modules points at the project's, so `@aws-sdk/*`
  // resolves as the runtime's copy would.
  const dir = await mkdtemp(join(tmpdir(), 'funding-tracker-bench-'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  try {
    const figures: BundleFigures[] = [];
    for (const fn of await functionNames()) {
      await mkdir(join(dir, fn), { recursive: true });
      const built = await bundle(fn, dir);
      // One unmeasured import first: the file system cache is warm for every measured run alike.
      await coldImport(built.outfile);
      const runs: number[] = [];
      for (let i = 0; i < options.runs; i++) runs.push(await coldImport(built.outfile));
      const coldImportMs = median(runs);
      figures.push({
        fn,
        bytes: built.bytes,
        kb: Math.round((built.bytes / 1024) * 10) / 10,
        coldImportMs,
        coldImportRuns: runs,
        topInputs: built.topInputs,
      });
      options.log(
        `  ${fn.padEnd(14)} ${(built.bytes / 1024).toFixed(1).padStart(7)} KB  import ${coldImportMs.toFixed(1)} ms`,
      );
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
