import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import { DETAIL_TYPES, type DetailType, EVENT_SOURCE } from '../lib/shared/names';
import {
  type DeliveredEvent,
  deterministicUuid,
  EVENT_CATALOGUE,
  type EventContract,
  type EventDetail,
  putEventsEntry,
  toDeliveredEvent,
} from './contracts';

/**
 * Writes events/schemas/<DetailType>.json (the JSON Schema of the detail, from the same zod schema
 * the code validates with) and events/examples/<DetailType>.json (a whole event as a target receives
 * it). `npm run events:generate` writes them; `-- --check` only reports the files that drifted.
 */

export const EVENTS_DIR = dirname(fileURLToPath(import.meta.url));

/** Where the example events claim to come from: no real account, the stack's region. */
const EXAMPLE_ACCOUNT = '000000000000';
const EXAMPLE_REGION = 'eu-central-1';
const EXAMPLE_BUS = 'funding-tracker';

export interface GeneratedFile {
  /** Relative to events/, with forward slashes. */
  readonly path: string;
  readonly content: string;
}

const contractOf = (detailType: DetailType): EventContract => EVENT_CATALOGUE[detailType] as EventContract;

export const detailJsonSchema = (detailType: DetailType): Record<string, unknown> => {
  const { version, description, schema } = contractOf(detailType);
  const { $schema, ...body } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' });
  return {
    $schema,
    $id: `urn:${EVENT_SOURCE}:events:${detailType}:v${version}`,
    title: `${detailType} (version ${version})`,
    description: `${description} This schema is the \`detail\` of EventBridge events with source "${EVENT_SOURCE}" and detail-type "${detailType}", eventVersion ${version}.`,
    'x-eventbridge': { source: EVENT_SOURCE, detailType, version },
    ...body,
  };
};

export const exampleEvent = (detailType: DetailType): DeliveredEvent => {
  const { version, schema, example } = contractOf(detailType);
  // Parsed, so the example shows the detail exactly as a producer emits it (schema key order, normalised values).
  const detail = schema.parse(example) as EventDetail<DetailType>;
  return toDeliveredEvent(putEventsEntry(detailType, detail, EXAMPLE_BUS), {
    id: deterministicUuid(['example-event', detailType, String(version)]),
    time: detail.occurredAt,
    account: EXAMPLE_ACCOUNT,
    region: EXAMPLE_REGION,
  });
};

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every file the generator owns, in a fixed order; a pure function of the catalogue. */
export const generateEventFiles = (): GeneratedFile[] =>
  Object.values(DETAIL_TYPES).flatMap((detailType) => [
    { path: `schemas/${detailType}.json`, content: json(detailJsonSchema(detailType)) },
    { path: `examples/${detailType}.json`, content: json(exampleEvent(detailType)) },
  ]);

const GENERATED_DIRS = ['schemas', 'examples'] as const;

/** JSON files in the generated folders that the generator no longer makes (a detail-type was removed). */
const staleFiles = (dir: string, generated: readonly GeneratedFile[]): string[] => {
  const wanted = new Set(generated.map((file) => file.path));
  return GENERATED_DIRS.flatMap((sub) =>
    existsSync(join(dir, sub))
      ? readdirSync(join(dir, sub))
          .filter((name) => name.endsWith('.json'))
          .map((name) => `${sub}/${name}`)
          .filter((path) => !wanted.has(path))
      : [],
  ).sort();
};

/** The files on disk that differ from what would be generated now: changed, missing or stale. */
export const driftedEventFiles = (dir: string = EVENTS_DIR): string[] => {
  const generated = generateEventFiles();
  const drifted = generated
    .filter((file) => {
      const path = join(dir, file.path);
      return !existsSync(path) || readFileSync(path, 'utf8') !== file.content;
    })
    .map((file) => file.path);
  return [...drifted, ...staleFiles(dir, generated)];
};

/** Writes what changed and removes stale files; returns the paths it touched. */
export const writeEventFiles = (dir: string = EVENTS_DIR): string[] => {
  const generated = generateEventFiles();
  const touched: string[] = [];
  for (const sub of GENERATED_DIRS) mkdirSync(join(dir, sub), { recursive: true });
  for (const file of generated) {
    const path = join(dir, file.path);
    if (existsSync(path) && readFileSync(path, 'utf8') === file.content) continue;
    writeFileSync(path, file.content);
    touched.push(file.path);
  }
  for (const stale of staleFiles(dir, generated)) {
    rmSync(join(dir, stale));
    touched.push(stale);
  }
  return touched;
};

const main = (args: readonly string[]): number => {
  if (args.includes('--check')) {
    const drifted = driftedEventFiles();
    if (drifted.length === 0) {
      console.log('events: schemas and examples are up to date.');
      return 0;
    }
    console.error(
      `events: ${drifted.length} file(s) differ from the contracts in events/contracts.ts:\n` +
        `${drifted.map((path) => `  events/${path}`).join('\n')}\nRun \`npm run events:generate\` and commit the result.`,
    );
    return 1;
  }
  const touched = writeEventFiles();
  console.log(
    touched.length
      ? `events: wrote ${touched.map((path) => `events/${path}`).join(', ')}`
      : 'events: schemas and examples were already up to date.',
  );
  return 0;
};

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) process.exitCode = main(process.argv.slice(2));
