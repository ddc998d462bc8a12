import { articleIdOfData } from '#libs/contracts';
import type { RecordedEvent } from '#libs/event-store';
import type { ProjectedEvent } from './projection.js';

/** A stored event as projections see it; the key is the article it belongs to. */
export function fromRecordedEvent(event: RecordedEvent): ProjectedEvent {
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    streamType: event.streamType,
    streamVersion: event.streamVersion,
    key: articleIdOfData(event.data) ?? event.streamId,
    type: event.type,
    data: event.data,
    position: event.position,
    recordedAt: event.recordedAt,
  } as ProjectedEvent;
}
