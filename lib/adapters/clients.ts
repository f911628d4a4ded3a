import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../shared/names';

/**
 * AWS SDK clients, built once per cold start. In AWS they use the function's role and region;
 * local mode sets an endpoint (and dummy credentials) through the environment, nothing else.
 */
const localOptions = (endpoint: string | undefined) =>
  endpoint
    ? {
        endpoint,
        region: process.env.AWS_REGION ?? 'eu-central-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {};

export const createDynamoClient = (endpoint = process.env[ENV.dynamodbEndpoint]): DynamoDBClient =>
  new DynamoDBClient({ ...localOptions(endpoint), maxAttempts: 5 });

export const createDocumentClient = (client: DynamoDBClient = createDynamoClient()): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });

export const createEventBridgeClient = (endpoint = process.env[ENV.eventBridgeEndpoint]): EventBridgeClient =>
  new EventBridgeClient({ ...localOptions(endpoint), maxAttempts: 5 });
