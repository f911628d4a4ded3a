import { defineConfig } from 'vitest/config';

/**
 * Tests are split by what they need: unit (no I/O), integration (a real DynamoDB Local),
 * infra (the synthesized template and cdk-nag), e2e (the local stack over HTTP), web (Chromium against
 * the local stack).
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/integration/global-setup.ts', 'tests/support/conformance-report.ts'],
          setupFiles: ['tests/support/conformance-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['tests/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/support/conformance-report.ts'],
          setupFiles: ['tests/support/conformance-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Real Chromium against one local stack (built and started once by the global setup);
        // files run one after another so the browser and the stack share the machine calmly.
        test: {
          name: 'web',
          include: ['tests/web/**/*.test.ts'],
          globalSetup: ['tests/web/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
