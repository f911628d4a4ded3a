/**
 * Stands in for a function whose handler is not written yet, so the infra tests can build the whole
 * stack (its grants, triggers and alarms) meanwhile. infra/app.ts never uses it.
 */
export const handler = async (): Promise<never> => {
  throw new Error('Not implemented: this is the infra tests’ stand-in handler.');
};
