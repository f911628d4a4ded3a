import type { Construct } from 'constructs';
import * as z from 'zod';

/**
 * The deployment's configuration, read from CDK context (cdk.json, or `-c key=value` on the command
 * line) and validated when the app is synthesized, so a typo fails `cdk synth` with the key's name
 * instead of deploying a stack that mails alerts from nowhere.
 */
export interface DeploymentConfig {
  /** Names the stack and its resources: `dev`, `test`, `prod`. */
  readonly stage: string;
  /** The From address of alert e-mails; the stack creates it as an SES identity. */
  readonly alertSender: string;
  /** Where alarms (function errors, dead-letter queues with messages, publisher lag) are mailed. */
  readonly operatorEmail: string;
  /** Browser origins allowed by CORS, also the sign-in callback and sign-out URLs of the people app client. */
  readonly allowedOrigins: readonly string[];
  /** Days before a deadline's `dueOn` when an alert goes out, tightest last: 30, 14, 7, 1. */
  readonly deadlineAlertDays: readonly number[];
  /** Days before a grant's `fundingEndsOn` when an alert goes out: 90, 30. */
  readonly fundingAlertDays: readonly number[];
}

export const CONTEXT_KEYS = [
  'stage',
  'alertSender',
  'operatorEmail',
  'allowedOrigins',
  'deadlineAlertDays',
  'fundingAlertDays',
] as const satisfies readonly (keyof DeploymentConfig)[];

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `The CDK context is not a valid funding-tracker configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Set the keys in cdk.json ("context") or pass them with -c, e.g. ' +
        'npx cdk deploy -c stage=prod -c alertSender=no-reply@example.dk -c operatorEmail=drift@example.dk ' +
        '-c allowedOrigins=https://tilskud.example.dk',
    );
    this.name = 'ConfigError';
  }
}

/** `-c key=a,b` arrives as a string, cdk.json gives a JSON array: accept both (and a JSON array in a string). */
const list = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }
  return text === '' ? [] : text.split(',').map((part) => part.trim());
};

const email = z.email('must be an e-mail address');

const isLocalhost = (origin: URL) => origin.hostname === 'localhost' || origin.hostname === '127.0.0.1';

const origin = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a URL` });
    return;
  }
  if (url.origin !== value) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a bare origin; write it as "${url.origin}"` });
  } else if (url.protocol !== 'https:' && !isLocalhost(url)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" must use https (plain http only for localhost)` });
  }
});

const days = (max: number) =>
  z.preprocess(
    (value) => {
      const items = list(value);
      return Array.isArray(items)
        ? items.map((item) => (typeof item === 'string' ? Number(item) : item))
        : items;
    },
    z
      .array(
        z
          .number()
          .int('must be whole days')
          .min(1, 'must be at least 1 day')
          .max(max, `must be at most ${max} days`),
      )
      .min(1, 'needs at least one threshold')
      .refine((values) => new Set(values).size === values.length, 'must not repeat a threshold')
      // Tightest last, the order alerts go out in; the runtime reads the same comma-separated list.
      .transform((values) => [...values].sort((a, b) => b - a)),
  );

const ConfigSchema = z
  .object({
    stage: z
      .string('must be set')
      .regex(
        /^[a-z][a-z0-9-]{1,19}$/,
        'must be 2-20 lower-case letters, digits or dashes, starting with a letter',
      ),
    alertSender: z.string('must be set').pipe(email),
    operatorEmail: z.string('must be set').pipe(email),
    allowedOrigins: z.preprocess(
      list,
      z.array(origin, 'must be a list of origins').min(1, 'needs at least one origin'),
    ),
    deadlineAlertDays: days(365),
    fundingAlertDays: days(730),
  })
  .superRefine((config, ctx) => {
    if (config.stage !== 'prod') return;
    const local = config.allowedOrigins.filter((value) => isLocalhost(new URL(value)));
    if (local.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowedOrigins'],
        message: `the prod stage must not allow ${local.join(', ')}; pass -c allowedOrigins=https://...`,
      });
    }
  });

/** Validates raw context values; every problem is reported at once, each with its key. */
export const parseConfig = (context: Readonly<Record<string, unknown>>): DeploymentConfig => {
  const result = ConfigSchema.safeParse(context);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.');
    const got = issue.path.length > 0 ? context[String(issue.path[0])] : undefined;
    const shown = got === undefined ? 'it is not set' : `got ${JSON.stringify(got)}`;
    return `${key || 'context'}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(problems);
};

/** Reads the configuration from a construct's context (the app's, in practice). */
export const configFromContext = (scope: Construct): DeploymentConfig =>
  parseConfig(Object.fromEntries(CONTEXT_KEYS.map((key) => [key, scope.node.tryGetContext(key) as unknown])));
