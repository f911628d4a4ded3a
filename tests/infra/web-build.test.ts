import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { afterAll, describe, expect, it } from 'vitest';
import { type WebAppSource, WebHosting } from '../../infra/web';
import { ROUTES } from '../../lib/api/routes';
import { TEST_CONFIG } from './support/app';
import { standInWebBuild } from './support/web-build';

/**
 * Where the deployed files come from: a fresh clone's `cdk synth` builds web/ itself, and only when
 * what the build reads changed (the asset's hash). Bundling is skipped here, as in every infra test;
 * the hash is what decides whether CDK runs the build.
 */
const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

const project = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), 'funding-tracker-project-'));
  projects.push(root);
  for (const [path, content] of Object.entries(files)) write(root, path, content);
  return root;
};
const write = (root: string, path: string, content: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
};

const SOURCES = {
  'web/vite.config.ts': 'export default {};',
  'web/index.html': '<!doctype html><div id="root"></div>',
  'web/src/main.tsx': 'export {};',
  'lib/api-client/index.ts': 'export {};',
  'package-lock.json': '{}',
};

/** Builds the web hosting alone, in a stack without bundling, and returns its files' asset. */
const hostingWith = (source: WebAppSource): Asset => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Web', { env: { account: '123456789012', region: 'eu-central-1' } });
  const userPool = new cognito.UserPool(stack, 'Pool');
  const web = new WebHosting(stack, 'Web', {
    config: TEST_CONFIG,
    api: new apigwv2.HttpApi(stack, 'Api'),
    routes: ROUTES,
    source,
    signIn: {
      userPool,
      domain: userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'funding-tracker-test' } }),
      client: userPool.addClient('People'),
    },
  });
  const asset = web.node.tryFindChild('AppFiles') as Asset | undefined;
  if (!asset) throw new Error('no asset of the app’s files');
  return asset;
};

describe('the web app’s files', () => {
  it('are built from web/ by default, keyed by what the build reads', () => {
    // arrange
    const root = project(SOURCES);
    const first = hostingWith({ kind: 'sources', projectRoot: root }).assetHash;
    // act / assert: the same sources, the same asset (no new build)
    expect(hostingWith({ kind: 'sources', projectRoot: root }).assetHash).toBe(first);
    // a previous build and screenshots are not inputs
    write(root, 'web/dist/index.html', 'old build');
    write(root, 'web/screenshots/grants.png', 'png');
    expect(hostingWith({ kind: 'sources', projectRoot: root }).assetHash).toBe(first);
  });

  it.each([
    ['a page of the app', 'web/src/main.tsx'],
    ['the generated API client', 'lib/api-client/index.ts'],
    ['the lock file', 'package-lock.json'],
  ])('are built again when %s changes', (_what, path) => {
    const root = project(SOURCES);
    const before = hostingWith({ kind: 'sources', projectRoot: root }).assetHash;
    write(root, path, '// changed');
    expect(hostingWith({ kind: 'sources', projectRoot: root }).assetHash).not.toBe(before);
  });

  it('say so when the web app’s sources are missing', () => {
    const root = project({ 'package-lock.json': '{}' });
    expect(() => hostingWith({ kind: 'sources', projectRoot: root })).toThrow(/holds no vite\.config\.ts/);
  });

  it('take a directory that is a build, and refuse one that is not', () => {
    expect(hostingWith({ kind: 'built', dir: standInWebBuild() }).assetHash).toMatch(/^[0-9a-f]{64}$/);
    const notABuild = project({ 'index.html': '<!doctype html>' });
    expect(() => hostingWith({ kind: 'built', dir: notABuild })).toThrow(/holds no docs\/index\.html/);
  });
});
