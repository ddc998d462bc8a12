import type { EventDataOfCeType, NewsroomCeType } from '#libs/contracts';
import type { CloudEventEnvelope } from '#libs/kafka';

/** Where a message was read from: for logs, never for logic. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * One event as a handler gets it: the CloudEvent attributes (`subject` is the article id), the
 * data typed by its ce_type, and where it was read from.
 */
export interface NewsroomCloudEvent<Type extends NewsroomCeType = NewsroomCeType>
  extends Omit<CloudEventEnvelope<EventDataOfCeType<Type>>, 'type'> {
  type: Type;
  origin: MessageOrigin;
}

/** A well-formed CloudEvent of a type this subscriber does not know (a newer contract, another producer). */
export interface UnknownCloudEvent extends CloudEventEnvelope<unknown> {
  origin: MessageOrigin;
}

export type EventHandler<Type extends NewsroomCeType> = (event: NewsroomCloudEvent<Type>) => void | Promise<void>;
