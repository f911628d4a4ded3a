import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ExpectedPaymentRecord } from '../domain/expected-payments';
import type { GrantRecord, PaymentRecord } from '../domain/grant';
import { itemToExpectedPayment, itemToGrant, itemToPayment } from './items';

/**
 * A full read of the ledger, for checking the materialised totals against the grants themselves.
 * It scans the whole table, which is why no request path and no deployed function uses it.
 */
export const readLedgerForAudit = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  onProgress: (itemsRead: number) => void = () => undefined,
): Promise<{
  grants: GrantRecord[];
  payments: PaymentRecord[];
  expectedPayments: ExpectedPaymentRecord[];
  storedCells: Map<string, number>;
}> => {
  const grants: GrantRecord[] = [];
  const payments: PaymentRecord[] = [];
  const expectedPayments: ExpectedPaymentRecord[] = [];
  const storedCells = new Map<string, number>();
  let read = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if (item.type === 'GRANT') grants.push(itemToGrant(item));
      else if (item.type === 'PAYMENT') payments.push(itemToPayment(item));
      else if (item.type === 'EXPECTED') expectedPayments.push(itemToExpectedPayment(item));
      else if (typeof item.pk === 'string' && item.pk.startsWith('TOTALS#')) {
        const view = item.pk.slice('TOTALS#'.length);
        for (const [name, value] of Object.entries(item)) {
          // A cell that is not a plain number (lib-dynamodb hands back huge ones as BigInt) is drift too.
          if (/^[arne][A-Z]+_/.test(name)) storedCells.set(`${view}|${item.sk}|${name}`, Number(value));
        }
      }
    }
    read += page.Items?.length ?? 0;
    onProgress(read);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { grants, payments, expectedPayments, storedCells };
};
