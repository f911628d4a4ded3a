import { parseArgs } from 'node:util';

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
