import { CE_TYPES_BY_TOPIC, type NewsroomCeType, type NewsroomTopic } from './event-catalog.js';
import { JSON_SCHEMA_DIALECT, UUID_PATTERN, type JSONSchema } from './json-schema.js';

/**
 * The Kafka headers of every message: CloudEvents 1.0, Kafka protocol binding, binary content mode
 * (attributes as `ce_*` headers, the event data alone as the value). Header values are text.
 */

/** The header of each CloudEvents attribute and of our extension attributes, in the order they are documented. */
export const CLOUD_EVENT_HEADERS = Object.freeze({
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  subject: 'ce_subject',
  time: 'ce_time',
  contentType: 'content-type',
  streamId: 'ce_streamid',
  streamVersion: 'ce_streamversion',
  position: 'ce_position',
} as const);
export const CLOUD_EVENT_HEADER_NAMES = Object.freeze(Object.values(CLOUD_EVENT_HEADERS));
export type CloudEventHeaderName = (typeof CLOUD_EVENT_HEADER_NAMES)[number];

const STREAM_ID_PATTERNS: Record<NewsroomTopic, { pattern: string; description: string }> = {
  articles: {
    pattern: `^article-${UUID_PATTERN}$`,
    description: 'Extension attribute `streamid`: the event\'s stream in the event store, `article-<articleId>`.',
  },
  reactions: {
    pattern: `^reaction-${UUID_PATTERN}:.+$`,
    description:
      'Extension attribute `streamid`: the event\'s stream in the event store, `reaction-<articleId>:<readerId>` ' +
      '(one stream per article and reader, so `ce_streamversion` alone is ambiguous on this topic).',
  },
};

const DECIMAL = '^(0|[1-9][0-9]*)$';

function headerProperties(topic: NewsroomTopic, ceTypes: readonly NewsroomCeType[]): Record<CloudEventHeaderName, JSONSchema> {
  return {
    ce_specversion: { type: 'string', const: '1.0', description: 'CloudEvents spec version.' },
    ce_id: {
      type: 'string',
      format: 'uuid',
      description: 'The event id. A redelivered or republished event keeps it: deduplicate by it.',
    },
    ce_source: {
      type: 'string',
      format: 'uri-reference',
      minLength: 1,
      description: 'Who published it; `/newsroom` unless the deployment names another source.',
    },
    ce_type: ceTypes.length === 1
      ? { type: 'string', const: ceTypes[0], description: 'The event type.' }
      : { type: 'string', enum: ceTypes, description: 'The event type: what the value is; dispatch on it.' },
    ce_subject: {
      type: 'string',
      format: 'uuid',
      description: 'The article id: equal to the message key and to `articleId` in the value.',
    },
    ce_time: { type: 'string', format: 'date-time', description: 'When the event was recorded in the event store.' },
    'content-type': { type: 'string', const: 'application/json', description: 'The value is the event data as JSON.' },
    ce_streamid: { type: 'string', ...STREAM_ID_PATTERNS[topic] },
    ce_streamversion: {
      type: 'string',
      pattern: '^[1-9][0-9]*$',
      description:
        'Extension attribute `streamversion`: the event\'s version in its stream (1, 2, ...). Within a ' +
        'stream versions arrive in order; skip a version already applied.',
    },
    ce_position: {
      type: 'string',
      pattern: DECIMAL,
      description:
        'Extension attribute `position`: the event\'s position in the event store\'s global log, unique per ' +
        'event (what the HTTP API\'s `X-Min-Position` takes). Not gap-free and not a delivery order: order ' +
        'by `ce_streamversion` within `ce_streamid`.',
    },
  };
}

/**
 * The headers of a message on `topic`; with `ceType`, of that message type only. Other headers
 * (tracing, for instance) may be added later: subscribers ignore headers they do not know.
 */
export function cloudEventHeadersSchema(topic: NewsroomTopic, ceType?: NewsroomCeType): JSONSchema {
  const ceTypes = ceType ? [ceType] : CE_TYPES_BY_TOPIC[topic];
  if (ceType && !CE_TYPES_BY_TOPIC[topic].includes(ceType)) throw new Error(`${ceType} is not published on the ${topic} topic`);
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: ceType ? `${ceType} headers` : `${topic} topic headers`,
    type: 'object',
    required: CLOUD_EVENT_HEADER_NAMES,
    properties: headerProperties(topic, ceTypes),
  };
}

/** The message key: the article id, as UTF-8 text. Every event of an article lands on one partition. */
export const MESSAGE_KEY_SCHEMA: JSONSchema = {
  type: 'string',
  format: 'uuid',
  description: 'The article id (UTF-8). Keeps all events of one article on one partition, in order.',
};
