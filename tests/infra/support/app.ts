import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { type DeploymentConfig, parseConfig } from '../../../infra/config';
import { FUNCTIONS, type FunctionCatalogue, type FunctionName, PROJECT_ROOT } from '../../../infra/functions';
import { addNagChecks } from '../../../infra/nag';
import { FundingTrackerStack } from '../../../infra/stack';
import { standInWebBuild } from './web-build';

const STUB_ENTRY = join(PROJECT_ROOT, 'tests/infra/support/stub-handler.ts');

/** The context cdk.json gives every synth. */
export const CDK_CONTEXT = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export const TEST_CONFIG: DeploymentConfig = parseConfig(CDK_CONTEXT);

/**
 * The full catalogue, with the stand-in handler for every function whose handler does not exist yet
 * (reported, never silent). The stack under test thus always has all seven functions and their wiring.
 */
export const testCatalogue = (): { functions: FunctionCatalogue; stubbed: FunctionName[] } => {
  const stubbed: FunctionName[] = [];
  const functions = Object.fromEntries(
    Object.entries(FUNCTIONS).map(([name, spec]) => {
      if (existsSync(spec.entry)) return [name, spec];
      stubbed.push(name as FunctionName);
      return [name, { ...spec, entry: STUB_ENTRY }];
    }),
  ) as unknown as FunctionCatalogue;
  if (stubbed.length > 0) {
    console.warn(`infra tests: no handler yet for ${stubbed.join(', ')}; using the stand-in handler.`);
  }
  return { functions, stubbed };
};

export interface TestAppOptions {
  /** Run esbuild for every function (slow: seconds). Off, CDK skips asset bundling. */
  readonly bundle?: boolean;
  /** Register the cdk-nag packs as infra/app.ts does. */
  readonly nag?: boolean;
  readonly config?: DeploymentConfig;
}

export const buildTestApp = (options: TestAppOptions = {}) => {
  const app = new App({
    context: {
      ...CDK_CONTEXT,
      // An empty list tells CDK to bundle no stack's assets.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const { functions, stubbed } = testCatalogue();
  const stack = new FundingTrackerStack(app, 'FundingTracker-test', {
    config: options.config ?? TEST_CONFIG,
    functions,
    projectRoot: PROJECT_ROOT,
    web: { kind: 'built', dir: standInWebBuild() },
    env: { account: '123456789012', region: 'eu-central-1' },
  });
  if (options.nag) addNagChecks(app);
  return { app, stack, stubbed };
};
