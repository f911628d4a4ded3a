import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import {
  type DeliveredEvent,
  EventContractError,
  isAlertDetailType,
  parseDetail,
} from '../../events/contracts';
import type { Mailer } from '../../lib/adapters/mailer';
import type { Clock } from '../../lib/domain/dates';
import { type AlertDetail, composeAlertMessage } from './message';
import type { NotificationLog } from './notified';

export interface NotifierDeps {
  readonly mailer: Mailer;
  readonly notified: NotificationLog;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The web application's public URL (PUBLIC_BASE_URL): every e-mail links into it. */
  readonly publicBaseUrl: string;
}

export type NotifyOutcome =
  | { readonly outcome: 'sent'; readonly eventId: string }
  | { readonly outcome: 'already-sent'; readonly eventId: string }
  | { readonly outcome: 'ignored' };

/**
 * The target of the alerts rule: e-mails an alert event's recipients once per eventId.
 *
 * Delivery is at least once, so the notifier looks for its record of the event first and writes the
 * record only after the e-mail went out. A duplicate e-mail is therefore possible in one case only:
 * the process dies (or the record cannot be written) between the send and the record, and the event
 * is delivered again. Recording before sending would turn that into a lost e-mail instead.
 *
 * A failed send throws, so EventBridge retries the delivery and finally dead-letters it; a detail that
 * breaks its contract throws too, so it reaches the dead-letter queue instead of vanishing.
 */
export const createNotifier =
  (deps: NotifierDeps) =>
  async (event: DeliveredEvent, context?: Context): Promise<NotifyOutcome> => {
    const { logger } = deps;
    if (context) logger.addContext(context);
    const detailType = event['detail-type'];
    if (!isAlertDetailType(detailType)) {
      logger.warn('Ignored an event that is not an alert', { detailType, id: event.id });
      return { outcome: 'ignored' };
    }
    let detail: AlertDetail;
    try {
      detail = parseDetail(detailType, event.detail);
    } catch (error) {
      const eventId = (event.detail as { eventId?: unknown } | null)?.eventId;
      logger.error('An alert breaks its contract; it goes to the dead-letter queue', {
        detailType,
        eventId: typeof eventId === 'string' ? eventId : undefined,
        issues: error instanceof EventContractError ? error.issues : String(error),
      });
      throw error;
    }
    const { eventId } = detail;
    const about = { detailType, eventId, grantId: detail.grant.grantId };
    if (await deps.notified.wasSent(eventId)) {
      logger.info('Alert already e-mailed; skipped the repeat delivery', about);
      return { outcome: 'already-sent', eventId };
    }
    const message = composeAlertMessage(detailType, detail, deps.publicBaseUrl);
    await deps.mailer.send({
      to: detail.recipients,
      subject: message.subject,
      text: message.text,
      idempotencyKey: eventId,
      occurredAt: detail.occurredAt,
    });
    try {
      await deps.notified.recordSent(eventId, deps.clock.now());
    } catch (error) {
      // Throwing now would make EventBridge deliver again and surely send the e-mail twice; without
      // the record only a later redelivery, if any, repeats it.
      logger.error('E-mail sent but not recorded; a redelivery would send it again', {
        ...about,
        error: String(error),
      });
    }
    logger.info('Alert e-mailed', { ...about, recipients: detail.recipients.length });
    return { outcome: 'sent', eventId };
  };
