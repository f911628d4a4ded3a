import { parseArgs } from 'node:util';

// Every command-line tool loads this module. Lambda runs Node.js 22; the tools support Node.js 20 on
// purpose until the SDK drops it (README, "Supported versions"), so the SDK's notice that its
// releases after the first week of January 2027 need Node.js 22 is not news to whoever runs them,
// and it would land in the output of `npm start`, `npm run token` and the rest.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Command-line flags: unknown ones are refused with the usage line rather than ignored. */
export const parseFlags = <const O extends Record<string, { type: 'string' | 'boolean' }>>(
  usage: string,
  options: O,
  argv: string[] = process.argv.slice(2),
) => {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean' } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nUsage: ${usage}\n`);
    process.exit(2);
  }
};

export const fail = (message: string, code = 1): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};
