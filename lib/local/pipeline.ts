import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { alertsToNotifier } from '../../events/rules';
import { createNotifier } from '../../functions/notifier/app';
import { sideEffects as notifierSideEffects } from '../../functions/notifier/sideEffects';
import { createPublisher } from '../../functions/publisher/app';
import { sideEffects as publisherSideEffects } from '../../functions/publisher/sideEffects';
import { ENV } from '../shared/names';
import { type LocalBus, startLocalBus } from './bus';
import { startStreamPoller } from './stream-poller';

export interface EventPipelineOptions {
  readonly dataDir: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly busName?: string;
  readonly alertSender?: string;
  readonly log?: (line: string) => void;
  /** Stream records per publisher invocation (Lambda's default, 100, unless a test wants small batches). */
  readonly streamBatchSize?: number;
}

export interface EventPipeline {
  readonly eventBusEndpoint: string;
  /** DIR/events.jsonl: every entry put on the bus. */
  readonly eventsFile: string;
  /** DIR/outbox: one .eml file per notification e-mail. */
  readonly outboxDir: string;
  readonly bus: LocalBus;
  /** Resolves when everything now in the stream is on the bus and every target delivery is done. */
  drain(): Promise<void>;
  /** Stops the poller (after the batch in hand), closes the bus, awaits in-flight deliveries. */
  stop(): Promise<void>;
}

export const LOCAL_BUS_NAME = 'funding-tracker-local';
export const LOCAL_ALERT_SENDER = 'funding-tracker@kk.dk.local';
export const STREAM_CHECKPOINT_FILE = 'stream-checkpoint.json';

/**
 * The stream/outbox → publisher → local bus → rule targets path of local mode (PRODUCT.md 5), with
 * the handler code that runs in Lambda. The environment the handlers read is set first, then their
 * production ports are built from it, exactly as each handler.ts does at cold start. (The handler
 * modules themselves are not imported: a module is built once per process, and a second pipeline in
 * the same process — a restart in a test — must talk to its own bus, not the first one's.)
 */
export const startEventPipeline = async (options: EventPipelineOptions): Promise<EventPipeline> => {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const outboxDir = join(dataDir, 'outbox');
  const busName = options.busName ?? LOCAL_BUS_NAME;
  await mkdir(outboxDir, { recursive: true });

  const bus = await startLocalBus({ dataDir, busName, log });
  try {
    process.env[ENV.dynamodbEndpoint] = options.dynamoEndpoint;
    process.env[ENV.eventBridgeEndpoint] = bus.endpoint;
    process.env[ENV.outboxDir] = outboxDir;
    process.env[ENV.eventBusName] = busName;
    process.env[ENV.alertSender] = options.alertSender ?? process.env[ENV.alertSender] ?? LOCAL_ALERT_SENDER;
    process.env[ENV.tableName] = options.tableName;

    const publish = createPublisher(publisherSideEffects());
    const notify = createNotifier(notifierSideEffects());
    bus.setTarget(alertsToNotifier.id, (event) => notify(event));

    const poller = await startStreamPoller({
      dynamoEndpoint: options.dynamoEndpoint,
      tableName: options.tableName,
      checkpointFile: join(dataDir, STREAM_CHECKPOINT_FILE),
      handler: (event) => publish(event),
      batchSize: options.streamBatchSize,
      log,
    });

    let stopped: Promise<void> | undefined;
    return {
      eventBusEndpoint: bus.endpoint,
      eventsFile: bus.eventsFile,
      outboxDir,
      bus,
      drain: async () => {
        await poller.drain();
        await bus.idle();
      },
      stop: () => {
        stopped ??= (async () => {
          await poller.stop();
          await bus.close();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await bus.close();
    throw error;
  }
};
