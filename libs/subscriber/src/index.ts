export { createSubscriber, NewsroomSubscriber, type SubscriberOptions } from './newsroom-subscriber.js';
export { EventDispatcher, type DispatchableBatch, type DispatchCounts, type EventDispatcherOptions } from './event-dispatcher.js';
export { DEFAULT_SEEN_CAPACITY, InMemorySeenStore, type SeenStore } from './seen-store.js';
export type { EventHandler, MessageOrigin, NewsroomCloudEvent, UnknownCloudEvent } from './newsroom-cloud-event.js';
