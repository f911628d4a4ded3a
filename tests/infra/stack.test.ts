import { beforeAll } from 'vitest';
import { setSynthesized } from './support/current';
import { synthesize } from './support/template';
import './specs/stateful';
import './specs/functions';
import './specs/api';
import './specs/events';
import './specs/alarms';
import './specs/digest';

/**
 * The stack is synthesized once (without bundling the functions: tests/infra/nag.test.ts does that)
 * and checked by the specs: stateful resources, functions and their grants, the API, events and the
 * schedule, alarms.
 */
beforeAll(() => {
  setSynthesized(synthesize().synthesized);
});
