import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webSourcesHash } from '../../lib/local/web-build';

describe('npm start rebuilds the web app when its sources changed', () => {
  let repo: string | undefined;
  afterEach(async () => {
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  const write = async (path: string, text: string) => {
    const file = join(repo as string, path);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, text);
  };

  it('sees a changed, added or removed source, and ignores the build and the screenshots', async () => {
    // arrange
    repo = await mkdtemp(join(tmpdir(), 'web-build-'));
    await write('web/src/main.tsx', 'render()');
    await write('lib/api-client/schema.d.ts', 'export {}');
    await write('package-lock.json', '{}');
    const first = await webSourcesHash(repo);
    // act + assert
    await write('web/dist/assets/app.js', 'built');
    await write('web/screenshots/grants-list.png', 'png');
    expect(await webSourcesHash(repo)).toBe(first);
    await write('web/src/main.tsx', 'render(<App />)');
    const changed = await webSourcesHash(repo);
    expect(changed).not.toBe(first);
    await write('web/src/new.ts', 'export {}');
    expect(await webSourcesHash(repo)).not.toBe(changed);
    await rm(join(repo, 'web/src/new.ts'));
    expect(await webSourcesHash(repo)).toBe(changed);
    await write('lib/api-client/schema.d.ts', 'export type X = 1');
    expect(await webSourcesHash(repo)).not.toBe(changed);
  });
});
