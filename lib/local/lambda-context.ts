import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** What Lambda hands a handler besides the event, for running handlers outside Lambda. */
export const lambdaContext = (
  functionName: string,
  requestId: string = randomUUID(),
  timeoutMs = 30_000,
): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
