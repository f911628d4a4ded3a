import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueDevToken } from '../../lib/local/dev-tokens';
import type { StackInfo } from '../../lib/local/stack-file';
import type { Role } from '../../lib/shared/names';

/** The local stack as a user starts it: its own process, `npm start`'s entry point, a data dir. */
export interface SpawnedStack extends StackInfo {
  readonly dataDir: string;
  readonly child: ChildProcess;
  output(): string;
  token(role: Role, email?: string): Promise<string>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, as in a crash of the machine: the stack's process and its DynamoDB Local both. */
  kill(): Promise<void>;
}

export const newDataDir = () => mkdtemp(join(tmpdir(), 'funding-tracker-'));

export const spawnStack = async (
  options: { dataDir?: string; seed?: boolean; webBuild?: boolean } = {},
): Promise<SpawnedStack> => {
  const dataDir = options.dataDir ?? (await newDataDir());
  const args = ['--import', 'tsx', 'lib/local/cli/start.ts', '--data-dir', dataDir, '--port', '0'];
  if (options.seed === false) args.push('--no-seed');
  // Tests serve web/dist as built once (the web project's global setup), not rebuilt per stack.
  if (options.webBuild !== true) args.push('--no-web-build');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  let info: Partial<StackInfo> = {};
  while (!info.apiUrl || !output.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null) throw new Error(`The stack exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The stack did not start within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    info = JSON.parse(
      await readFile(join(dataDir, 'stack.json'), 'utf8').catch(() => '{}'),
    ) as Partial<StackInfo>;
  }
  return {
    apiUrl: info.apiUrl,
    dynamodbEndpoint: info.dynamodbEndpoint as string,
    eventBusEndpoint: info.eventBusEndpoint as string,
    dataDir,
    child,
    output: () => output,
    token: (role, email = `${role}@kk.dk`) => issueDevToken(dataDir, { email, roles: [role] }),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      // A SIGKILLed parent cannot stop its children; DynamoDB Local would live on.
      const pid = Number((await readFile(join(dataDir, 'dynamodb.pid'), 'utf8').catch(() => '')).trim());
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
};
