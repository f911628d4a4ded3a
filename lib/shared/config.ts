import * as z from 'zod';
import { type AlertThresholds, DEFAULT_ALERT_THRESHOLDS, normaliseThresholds } from '../domain/alerts';
import { ENV } from './names';

/**
 * Configuration is read once, at cold start, and fails fast naming the variable. Each function
 * asks only for what it uses.
 */
const variables = {
  [ENV.tableName]: z.string().min(3),
  [ENV.idempotencyTableName]: z.string().min(3),
  [ENV.eventBusName]: z.string().min(1),
  [ENV.alertSender]: z.email(),
  [ENV.deadlineAlertDays]: z.string().regex(/^\d+(,\d+)*$/, 'comma-separated whole days, e.g. 30,14,7,1'),
  [ENV.fundingAlertDays]: z.string().regex(/^\d+(,\d+)*$/, 'comma-separated whole days, e.g. 90,30'),
  [ENV.outboxDir]: z.string().min(1),
  [ENV.stage]: z.string().min(1),
  [ENV.publicBaseUrl]: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://tilskud.kk.dk' })
    // Links are built by appending paths to it: a query or fragment would end up in the middle.
    .refine((url) => !/[?#]/.test(url), 'must be an origin (and path) without ? or #')
    .transform((url) => url.replace(/\/+$/, '')),
} as const;

type Variable = keyof typeof variables;

export const readConfig = <K extends Variable>(
  names: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): { [P in K]: z.infer<(typeof variables)[P]> } => {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const name of names) {
    const parsed = variables[name].safeParse(env[name]);
    if (parsed.success) config[name] = parsed.data;
    else
      problems.push(`${name}: ${env[name] === undefined ? 'is not set' : parsed.error.issues[0]?.message}`);
  }
  if (problems.length) throw new Error(`Configuration is incomplete: ${problems.join('; ')}`);
  return config as { [P in K]: z.infer<(typeof variables)[P]> };
};

/** Parses "30,14,7,1" into [30, 14, 7, 1]. */
export const parseDays = (value: string): number[] => value.split(',').map(Number);

/** Alert thresholds: CDK context sets them in AWS; without the variables, the product defaults. */
export const alertThresholdsFromEnv = (env: NodeJS.ProcessEnv = process.env): AlertThresholds => {
  const names = [ENV.deadlineAlertDays, ENV.fundingAlertDays] as const;
  const present = names.filter((name) => env[name] !== undefined);
  const config = readConfig(present, env);
  const deadline = config[ENV.deadlineAlertDays];
  const funding = config[ENV.fundingAlertDays];
  return {
    deadline: deadline ? normaliseThresholds(parseDays(deadline)) : DEFAULT_ALERT_THRESHOLDS.deadline,
    funding: funding ? normaliseThresholds(parseDays(funding)) : DEFAULT_ALERT_THRESHOLDS.funding,
  };
};
