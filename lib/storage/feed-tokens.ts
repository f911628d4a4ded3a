import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FeedScope } from '../domain/calendar';
import { keys } from './items';

/**
 * Calendar feed tokens. Calendar clients cannot send an Authorization header, so a subscription URL
 * carries a read-only token `<tokenId>.<secret>`: the tokenId (a ULID) names the stored record, the
 * secret (32 random bytes, base64url) proves possession. Only a SHA-256 hash of the secret is stored;
 * 256 random bits need no salt or slow hash, and a leaked table reveals no usable token.
 *
 * Item (in the ledger table): pk `FEEDTOKEN#<tokenId>`, sk `FEEDTOKEN`; no index attributes.
 */

export interface FeedTokenRecord {
  readonly tokenId: string;
  /** SHA-256 of the secret as issued, base64url. */
  readonly secretHash: string;
  readonly ownerEmail: string;
  readonly scope: FeedScope;
  readonly label?: string | undefined;
  readonly createdAt: string;
  readonly revokedAt?: string | undefined;
  readonly revokedBy?: string | undefined;
}

const SECRET_BYTES = 32;
/** A ULID, a dot, and 32 bytes in unpadded base64url (43 characters). */
const TOKEN_PATTERN = /^([0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$/;

const hashOf = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** A new token for `tokenId`: the token to hand out once, and the hash to store. */
export const mintFeedToken = (
  tokenId: string,
  secretBytes: Buffer = randomBytes(SECRET_BYTES),
): { readonly token: string; readonly secretHash: string } => {
  const secret = secretBytes.toString('base64url');
  return { token: `${tokenId}.${secret}`, secretHash: hashOf(secret) };
};

/** The parts of a well-formed token; undefined for anything else. */
export const parseFeedToken = (
  token: string,
): { readonly tokenId: string; readonly secret: string } | undefined => {
  const match = TOKEN_PATTERN.exec(token);
  return match?.[1] && match[2] ? { tokenId: match[1], secret: match[2] } : undefined;
};

/** Compares hashes in constant time, so response timing says nothing about how much of a secret was right. */
export const secretMatches = (record: Pick<FeedTokenRecord, 'secretHash'>, secret: string): boolean => {
  const expected = Buffer.from(record.secretHash, 'base64url');
  const actual = Buffer.from(hashOf(secret), 'base64url');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
};

const toItem = (record: FeedTokenRecord): Record<string, unknown> => ({
  ...keys.feedToken(record.tokenId),
  type: 'FEEDTOKEN',
  ...record,
});

const fromItem = (item: Record<string, unknown>): FeedTokenRecord => {
  const { pk: _pk, sk: _sk, type: _type, ...record } = item;
  return record as unknown as FeedTokenRecord;
};

/** The feed tokens repository: key lookups and conditional writes on the ledger table, nothing else. */
export class FeedTokens {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: FeedTokenRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: toItem(record),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Strongly consistent, so a token revoked a moment ago is already refused. */
  async find(tokenId: string): Promise<FeedTokenRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.feedToken(tokenId), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  /** Marks the token revoked (the first revocation's time and actor stay); false when there is no such token. */
  async revoke(tokenId: string, change: { readonly at: string; readonly by: string }): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.feedToken(tokenId),
          UpdateExpression:
            'SET revokedAt = if_not_exists(revokedAt, :at), revokedBy = if_not_exists(revokedBy, :by)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': change.at, ':by': change.by },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
