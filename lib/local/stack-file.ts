import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `DIR/stack.json`: what a running local stack publishes about itself, and how the command-line
 * tools (sweep, totals:verify, import) find it. Kept apart from the stack so reading it loads nothing.
 */
export interface StackInfo {
  readonly apiUrl: string;
  readonly dynamodbEndpoint: string;
  readonly eventBusEndpoint: string;
}

export const STACK_FILE = 'stack.json';

/** Table names in local mode are this prefix plus the table definition's id. */
export const TABLE_PREFIX = 'funding-tracker';

/** The running stack in `dataDir`, or an error saying how to start one. */
export const readRunningStack = async (dataDir: string): Promise<StackInfo> => {
  const startHint = `Start it with: npm start -- --data-dir ${dataDir}`;
  let stack: Partial<StackInfo>;
  try {
    stack = JSON.parse(await readFile(join(dataDir, STACK_FILE), 'utf8')) as Partial<StackInfo>;
  } catch {
    throw new Error(`No running stack in ${dataDir} (no ${STACK_FILE}). ${startHint}`);
  }
  if (!stack.apiUrl || !stack.dynamodbEndpoint || !stack.eventBusEndpoint) {
    throw new Error(`The stack in ${dataDir} is not running. ${startHint}`);
  }
  return stack as StackInfo;
};
