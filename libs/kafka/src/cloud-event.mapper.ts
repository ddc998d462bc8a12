import { articleIdOfData, CLOUD_EVENT_HEADERS } from '#libs/contracts';
import type { IncomingMessage, OutgoingMessage } from './kafka.types.js';

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode: attributes in `ce_*` headers,
 * the event data alone as the value.
 *
 * The headers are built here rather than by the `cloudevents` SDK's `Kafka.binary`: the SDK also
 * emits `ce_datacontenttype` and headers for unset attributes (`ce_dataschema: undefined`, ...),
 * leaves the value as an object for the caller to serialize, and cannot read back the Buffer
 * headers a Kafka client delivers. The header set is fixed (CLOUD_EVENT_HEADERS in libs/contracts):
 * the CloudEvents attributes, the design's `ce_streamversion` and `ce_position`, and `ce_streamid`,
 * which the design does not list but a reaction's stream version needs (one article key, many
 * streams). So we write them ourselves (about 4x cheaper too); the spec checks that the SDK reads
 * our messages as valid events.
 */
export const CLOUD_EVENTS_SPEC_VERSION = '1.0';
export const DEFAULT_CLOUD_EVENT_SOURCE = '/newsroom';
const JSON_CONTENT_TYPE = 'application/json';

/** What a consumer gets from a message: the CloudEvent attributes we publish, typed, and the data. */
export interface CloudEventEnvelope<Data = unknown> {
  id: string;
  type: string;
  source: string;
  /** The article id. */
  subject: string;
  /** When the event was recorded, ISO 8601. */
  time: string;
  /**
   * The event's stream (`article-<id>`, `reaction-<articleId>:<readerId>`): an extension attribute,
   * since a stream version alone is ambiguous when one article key carries many streams.
   */
  streamId: string;
  /** The event's version in its stream: consumers skip versions they have already applied. */
  streamVersion: number;
  /** Global position in the event store's log. */
  position: number;
  data: Data;
}

export interface CloudEventMessageOptions {
  /** The `ce_type`, e.g. ARTICLE_CLOUD_EVENT_TYPES[event.type]. */
  type: string;
  /** The `ce_source`; `/newsroom` by default. */
  source?: string;
}

/** A message that is not one of our binary-mode CloudEvents. */
export class CloudEventMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudEventMessageError';
  }
}

/**
 * What a message is made of: a stored event (the event store's RecordedEvent fits). Written out
 * here so that this library, and the subscriber built on it, need no event store.
 */
export interface PublishableEvent {
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  data: unknown;
  recordedAt: Date;
  position: number;
}

/** The article id an event is keyed by: its `data.articleId`. */
function articleIdOf(event: PublishableEvent): string {
  const articleId = articleIdOfData(event.data);
  if (articleId === undefined || articleId.length === 0) {
    throw new CloudEventMessageError(
      `event ${event.eventId} (${event.type}, stream ${event.streamId}) has no data.articleId to key its message by`,
    );
  }
  return articleId;
}

/** A recorded event as a Kafka message keyed by its article id. */
export function toCloudEventMessage(event: PublishableEvent, options: CloudEventMessageOptions): OutgoingMessage {
  if (!options.type) throw new CloudEventMessageError(`no ce_type for event ${event.eventId} (${event.type})`);
  const articleId = articleIdOf(event);
  // The producer's timestamp stays the send time: stamping old recordedAt values on a backlog would
  // let time-based retention delete them the moment they land.
  return {
    key: articleId,
    value: JSON.stringify(event.data),
    headers: {
      [CLOUD_EVENT_HEADERS.specversion]: CLOUD_EVENTS_SPEC_VERSION,
      [CLOUD_EVENT_HEADERS.id]: event.eventId,
      [CLOUD_EVENT_HEADERS.source]: options.source ?? DEFAULT_CLOUD_EVENT_SOURCE,
      [CLOUD_EVENT_HEADERS.type]: options.type,
      [CLOUD_EVENT_HEADERS.subject]: articleId,
      [CLOUD_EVENT_HEADERS.time]: event.recordedAt.toISOString(),
      [CLOUD_EVENT_HEADERS.contentType]: JSON_CONTENT_TYPE,
      [CLOUD_EVENT_HEADERS.streamId]: event.streamId,
      [CLOUD_EVENT_HEADERS.streamVersion]: String(event.streamVersion),
      [CLOUD_EVENT_HEADERS.position]: String(event.position),
    },
  };
}

/** Reads one of our messages back; throws CloudEventMessageError when it is not one. */
export function fromCloudEventMessage<Data = unknown>(
  message: Pick<IncomingMessage, 'value' | 'headers'>,
): CloudEventEnvelope<Data> {
  const headers = message.headers;
  const header = (name: string): string => {
    const value = headers[name];
    if (value === undefined || value === '') throw new CloudEventMessageError(`message has no ${name} header`);
    return value;
  };
  const specVersion = header(CLOUD_EVENT_HEADERS.specversion);
  if (specVersion !== CLOUD_EVENTS_SPEC_VERSION) {
    throw new CloudEventMessageError(`unsupported ${CLOUD_EVENT_HEADERS.specversion} "${specVersion}"`);
  }
  const contentType = header(CLOUD_EVENT_HEADERS.contentType);
  if (!contentType.toLowerCase().startsWith(JSON_CONTENT_TYPE)) {
    throw new CloudEventMessageError(`unsupported content-type "${contentType}"`);
  }
  if (message.value === null || message.value.length === 0) throw new CloudEventMessageError('message has no value');
  let data: Data;
  try {
    data = JSON.parse(message.value.toString('utf8')) as Data;
  } catch (error) {
    throw new CloudEventMessageError(`message value is not JSON: ${(error as Error).message}`);
  }
  return {
    id: header(CLOUD_EVENT_HEADERS.id),
    type: header(CLOUD_EVENT_HEADERS.type),
    source: header(CLOUD_EVENT_HEADERS.source),
    subject: header(CLOUD_EVENT_HEADERS.subject),
    time: header(CLOUD_EVENT_HEADERS.time),
    streamId: header(CLOUD_EVENT_HEADERS.streamId),
    streamVersion: integerHeader(header(CLOUD_EVENT_HEADERS.streamVersion), CLOUD_EVENT_HEADERS.streamVersion),
    position: integerHeader(header(CLOUD_EVENT_HEADERS.position), CLOUD_EVENT_HEADERS.position),
    data,
  };
}

function integerHeader(value: string, name: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new CloudEventMessageError(`${name} "${value}" is not a non-negative integer`);
  }
  return number;
}
