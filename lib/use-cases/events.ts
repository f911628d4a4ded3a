import { buildEvent } from '../../events/contracts';
import type { GrantRecord } from '../domain/grant';
import { grantRef } from '../domain/grant';
import type { DetailType } from '../shared/names';
import type { OutboxEvent } from '../storage/items';

/**
 * A change's event, validated against its contract and ready for the outbox. The envelope
 * (eventId, eventVersion, occurredAt, grant) is filled here so no producer can get it wrong.
 */
export const changeEvent = (
  detailType: DetailType,
  grant: GrantRecord,
  fields: Record<string, unknown>,
  at: { readonly eventId: string; readonly occurredAt: Date },
): OutboxEvent => {
  const occurredAt = at.occurredAt.toISOString();
  const detail = buildEvent(detailType, { grant: grantRef(grant), ...fields } as never, {
    eventId: at.eventId,
    occurredAt,
  });
  return { eventId: at.eventId, detailType, detail, occurredAt };
};
