import type { SynthesizedStack } from './template';

/**
 * The stack synthesized once for tests/infra/stack.test.ts, shared by the specs it imports (a live
 * binding: read it inside tests, not while they are being collected).
 */
export let s: SynthesizedStack;

export const setSynthesized = (synthesized: SynthesizedStack): void => {
  s = synthesized;
};
