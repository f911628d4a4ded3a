import { describe, expect, it } from 'vitest';
import { createWriteSlots, isDynamoWrite } from '../../lib/adapters/write-slots';

describe('the write slots', () => {
  it('gives slots up to the bound, then one to each waiting write in the order they came', async () => {
    // arrange
    const slots = createWriteSlots(2);
    const first = await slots.acquire(1_000);
    const second = await slots.acquire(1_000);
    const order: string[] = [];
    const third = slots.acquire(1_000).then((release) => {
      order.push('third');
      return release;
    });
    const fourth = slots.acquire(1_000).then((release) => {
      order.push('fourth');
      return release;
    });
    expect(slots).toMatchObject({ inUse: 2, waiting: 2 });
    // act
    first?.();
    first?.(); // a second release of the same slot frees nothing more
    const thirdRelease = await third;
    second?.();
    await fourth;
    // assert
    expect(order).toEqual(['third', 'fourth']);
    expect(slots).toMatchObject({ inUse: 2, waiting: 0 });
    thirdRelease?.();
    (await fourth)?.();
    expect(slots.inUse).toBe(0);
  });

  it('gives up on a write that waited its time, and that write holds no place in the queue', async () => {
    const slots = createWriteSlots(1);
    const held = await slots.acquire(1_000);
    expect(await slots.acquire(20)).toBeUndefined();
    expect(slots.waiting).toBe(0);
    held?.();
    expect(slots.inUse).toBe(0);
  });

  it('fails every waiting write at once when asked, and serves later ones as before', async () => {
    // arrange
    const slots = createWriteSlots(1);
    const held = await slots.acquire(1_000);
    const waiting = [slots.acquire(60_000), slots.acquire(60_000)];
    // act
    slots.failWaiting();
    // assert
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    held?.();
    expect(typeof (await slots.acquire(0))).toBe('function');
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => createWriteSlots(0)).toThrow('positive integer');
    expect(() => createWriteSlots(2.5)).toThrow('positive integer');
  });

  it('knows a DynamoDB write by its X-Amz-Target', () => {
    const target = (operation: string) => ({ headers: { 'x-amz-target': `DynamoDB_20120810.${operation}` } });
    expect(isDynamoWrite(target('TransactWriteItems'))).toBe(true);
    expect(isDynamoWrite(target('UpdateItem'))).toBe(true);
    expect(isDynamoWrite(target('Query'))).toBe(false);
    expect(isDynamoWrite(target('GetItem'))).toBe(false);
    expect(isDynamoWrite({})).toBe(false);
  });
});
