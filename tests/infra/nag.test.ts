import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, CfnResource, Validations } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName } from '../../infra/functions';
import type { FundingTrackerStack } from '../../infra/stack';
import { buildTestApp } from './support/app';

const FUNCTION_NAMES: Readonly<Record<FunctionName, true>> = {
  'grants-api': true,
  'meta-api': true,
  'totals-api': true,
  'calendar-api': true,
  publisher: true,
  sweeper: true,
  notifier: true,
  'digest-api': true,
  digest: true,
};

/**
 * The app as `cdk synth` builds it: bundled functions and the cdk-nag packs registered, so synthesis
 * fails on any finding that is not acknowledged.
 */
let app: App;
let stack: FundingTrackerStack;
let stubbed: readonly FunctionName[];
let synthError: Error | undefined;

beforeAll(() => {
  ({ app, stack, stubbed } = buildTestApp({ bundle: true, nag: true }));
  try {
    app.synth();
  } catch (error) {
    synthError = error as Error;
  }
});

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it('lets the app synthesize: no unacknowledged finding', () => {
    expect(synthError?.message).toBeUndefined();
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s reports nothing', (_pack, makePack) => {
    const report = makePack().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
    );
    expect(findings).toEqual([]);
  });

  it('every acknowledgement sits on a resource, with a reason, never on the app or the stack', () => {
    const acknowledged: { path: string; id: string; reason: string; isResource: boolean }[] = [];
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        // A resource: a CloudFormation resource, or a construct whose default child is one (a Queue, a Function).
        const isResource =
          CfnResource.isCfnResource(construct) ||
          (construct.node.defaultChild !== undefined &&
            CfnResource.isCfnResource(construct.node.defaultChild));
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.push({ path: construct.node.path, id, reason, isResource });
        }
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) {
      expect(
        ack.isResource,
        `${ack.id} is acknowledged on ${ack.path || 'the app'}, which is not a CloudFormation resource`,
      ).toBe(true);
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(60);
    }
  });
});

describe('bundles', () => {
  const bundleOf = (name: FunctionName) => {
    const asset = stack.stateless.functions[name].node.tryFindChild('Code') as Asset | undefined;
    if (!asset) throw new Error(`no bundle for ${name}`);
    // The output directory rather than the assembly: bundles are staged there even when validation fails.
    return readFileSync(join(app.outdir, asset.assetPath, 'index.mjs'), 'utf8');
  };

  it.each(Object.keys(FUNCTION_NAMES) as FunctionName[])(
    '%s is a minified ESM bundle that defines require',
    (name) => {
      const code = bundleOf(name);
      expect(code.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      // Minified: very long lines (the few line breaks left are inside template literals).
      expect(code.length / code.split('\n').length).toBeGreaterThan(stubbed.includes(name) ? 0 : 1000);
    },
  );

  it.each(Object.keys(FUNCTION_NAMES) as FunctionName[])(
    '%s ships at most 400 KB minified (PRODUCT.md 7)',
    (name) => {
      expect(Buffer.byteLength(bundleOf(name), 'utf8')).toBeLessThanOrEqual(400 * 1024);
    },
  );

  it('leave the AWS SDK to the runtime', () => {
    for (const name of Object.keys(FUNCTION_NAMES) as FunctionName[]) {
      if (stubbed.includes(name)) continue;
      const code = bundleOf(name);
      // Imported from the runtime, not compiled in (the SDK's sources carry its user agent name).
      expect(code, name).toMatch(/from\s*"@aws-sdk\//);
      expect(code, name).not.toContain('aws-sdk-js');
    }
  });
});
