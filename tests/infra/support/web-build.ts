import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A stand-in for the web app's build (the shape Vite writes into web/dist), so the infra tests
 * synthesize the web hosting without running the Vite build. Made once per test process.
 */
let dir: string | undefined;

export const STAND_IN_FILES: Readonly<Record<string, string>> = {
  'index.html':
    '<!doctype html><html lang="da"><head><script type="module" src="/assets/app-3f9a1c2b.js"></script></head><body><div id="root"></div></body></html>',
  'assets/app-3f9a1c2b.js': 'document.getElementById("root").textContent = "funding tracker";',
  'assets/app-7d41e0aa.css': 'body { margin: 0; }',
  'docs/index.html':
    '<!doctype html><html lang="en"><head><script type="module" src="/assets/docs-0c1d2e3f.js"></script></head><body></body></html>',
  'assets/docs-0c1d2e3f.js': 'export {};',
  '.vite/manifest.json': '{}',
};

export const standInWebBuild = (): string => {
  if (dir) return dir;
  dir = mkdtempSync(join(tmpdir(), 'funding-tracker-web-'));
  for (const [path, content] of Object.entries(STAND_IN_FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
};
