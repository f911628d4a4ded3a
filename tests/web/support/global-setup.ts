import type { TestProject } from 'vitest/node';
import { ensureWebBuild } from '../../../lib/local/web-build';
import { spawnStack } from '../../support/local-stack';

/**
 * The web project's one-time setup: build the app (only if its sources changed) and start one
 * seeded local stack, as `npm start` does, shared by every browser test file.
 */
export default async function setup(project: TestProject) {
  await ensureWebBuild((line) => process.stdout.write(`${line}\n`));
  const stack = await spawnStack();
  project.provide('webStack', { baseUrl: stack.apiUrl, dataDir: stack.dataDir });
  return async () => {
    await stack.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    webStack: { baseUrl: string; dataDir: string };
  }
}
