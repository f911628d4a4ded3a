import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes items with BatchWriteItem, 25 to a call, `concurrency` calls in flight, retrying what
 * DynamoDB leaves unprocessed with backoff. Items come in chunks (an async iterable), so the
 * portfolio can be built while the previous chunk is being written.
 */
export const batchWrite = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  chunks: AsyncIterable<readonly Item[]> | Iterable<readonly Item[]>,
  options: { readonly concurrency: number; readonly onProgress?: (written: number) => void },
): Promise<{ written: number; calls: number; retries: number }> => {
  let written = 0;
  let calls = 0;
  let retries = 0;
  const inFlight = new Set<Promise<void>>();
  const writeBatch = async (batch: readonly Item[]) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) {
        retries++;
        await sleep(Math.min(2000, 25 * 2 ** attempt));
      }
      calls++;
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      const left = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      written += requests.length - left.length;
      requests = left;
    }
    options.onProgress?.(written);
  };
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i += 25) {
      const task = writeBatch(chunk.slice(i, i + 25)).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  return { written, calls, retries };
};
