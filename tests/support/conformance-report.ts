import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** Global setup: a folder for each test file's count of validated responses, summed at the end. */

let dir: string | undefined;
let name = '';

export function setup(project: TestProject): void {
  dir = mkdtempSync(join(tmpdir(), 'conformance-'));
  name = project.name;
  project.provide('conformanceDir', dir);
}

export function teardown(): void {
  if (!dir) return;
  const counts = readdirSync(dir).map(
    (file) => JSON.parse(readFileSync(join(dir as string, file), 'utf8')) as { validated: number },
  );
  const total = counts.reduce((sum, c) => sum + c.validated, 0);
  console.log(
    `conformance (${name}): ${total} responses in ${counts.length} test files validated against the OpenAPI document`,
  );
  rmSync(dir, { recursive: true, force: true });
}
