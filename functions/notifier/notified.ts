import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../lib/storage/items';

/**
 * Which alert events have been e-mailed: `NOTIFIED#<eventId>` / `NOTIFIED` in the ledger, kept 30
 * days (TTL) — far longer than EventBridge retries a delivery (24 hours).
 */
export interface NotificationLog {
  wasSent(eventId: string): Promise<boolean>;
  /** Records the e-mail as sent; a record already there (a concurrent delivery) is fine. */
  recordSent(eventId: string, sentAt: Date): Promise<void>;
}

export const NOTIFIED_RETENTION_SECONDS = 30 * 24 * 3600;

export const createNotificationLog = (db: DynamoDBDocumentClient, tableName: string): NotificationLog => ({
  wasSent: async (eventId) => {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: keys.notified(eventId), ConsistentRead: true }),
    );
    return Item !== undefined;
  },
  recordSent: async (eventId, sentAt) => {
    try {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.notified(eventId),
            type: 'NOTIFIED',
            eventId,
            sentAt: sentAt.toISOString(),
            expiresAt: Math.floor(sentAt.getTime() / 1000) + NOTIFIED_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  },
});
