import { cloudEventHeadersSchema, MESSAGE_KEY_SCHEMA } from './cloud-event-headers.schema.js';
import {
  CE_TYPES_BY_TOPIC,
  EVENT_SCHEMAS_BY_CE_TYPE,
  EVENT_TYPE_BY_CE_TYPE,
  NEWSROOM_TOPICS,
  type NewsroomCeType,
  type NewsroomTopic,
} from './event-catalog.js';
import type { JSONSchema } from './json-schema.js';
import { stringify } from 'yaml';

/**
 * The AsyncAPI 3.0.0 document of the Kafka contract, built from the same schema objects the code
 * and the specs use. `npm run contracts:asyncapi` writes it to asyncapi.yaml; a spec fails when the
 * committed file differs from renderAsyncApiYaml(), and validates it with @asyncapi/parser.
 */

/**
 * Bumped when the document changes: the minor version for what subscribers may ignore (a new
 * ce_type, a new header), the major version for a removal. A payload never changes in place.
 */
export const CONTRACT_VERSION = '1.0.0';

/** Partition count the service creates its topics with unless KAFKA_TOPIC_PARTITIONS says otherwise. */
const DEFAULT_PARTITIONS = 6;

const KAFKA_BINDING_VERSION = '0.5.0';

const CHANNEL_IDS: Record<NewsroomTopic, string> = { articles: 'articleEvents', reactions: 'reactionEvents' };
const HEADER_SCHEMA_IDS: Record<NewsroomTopic, string> = { articles: 'ArticleEventHeaders', reactions: 'ReactionEventHeaders' };

const DESCRIPTION = `Every change to an article in the Newsroom service, and every reader reaction, as a Kafka message.
The service's event store is the source of truth; a relay publishes its log to these topics, so
every committed event is published, in commit order per article, and nothing else is.

Messages are CloudEvents 1.0 in binary content mode (Kafka protocol binding): the attributes are
\`ce_*\` headers, the value is the event data as JSON. Beyond the core attributes, three extension
attributes: \`ce_streamid\` (the event-store stream), \`ce_streamversion\` (the event's version in
that stream) and \`ce_position\` (its position in the store's global log).

Delivery is at-least-once. A message may arrive more than once (a relay retry, a consumer group
rebalance); a redelivered event keeps its \`ce_id\`, so deduplicate by \`ce_id\`, or skip
\`ce_streamversion\` values already applied to the same \`ce_streamid\`.

Order: the message key is the article id, so all events of an article are on one partition and
arrive in the order they happened: within one \`ce_streamid\`, \`ce_streamversion\` increases by
one per event. There is no order across articles, nor across the two topics: a reaction may
arrive before its article's Published event. A reaction is taken while the service still holds
the article for published, so for a moment after an ArticleRetracted (about a second) a
ReactionAdded may still follow it.

A story's text lives in several events: Published carries it whole, as it was published; later
ArticleRevised (only the changed fields) and CorrectionIssued events change what readers see. So
does the byline: Published lists the authors, a later ArticleAssigned with \`as: reporter\` adds
one, and an author known only by id (their name is their id) takes the name a later event shows
for that id (\`authorsAfter\` in libs/contracts applies these rules).

Retention: both topics keep every message for good (\`retention.ms=-1\`), so a new subscriber
can replay from the beginning and fold the whole history (reaction counts included: there is no
snapshot event).

Evolution: new \`ce_type\` values and new headers may appear as the contract grows: ignore them.
The payload of a \`ce_type\` never changes shape: its schema is closed (no additional properties),
so a subscriber may validate with it. Any change to a payload, a new field too, comes as a new
\`ce_type\` version (\`.v2\`) or a new topic, never as a change in place.`;

export function buildAsyncApiDocument(): Record<string, unknown> {
  const topics = Object.keys(NEWSROOM_TOPICS) as NewsroomTopic[];
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Newsroom events',
      version: CONTRACT_VERSION,
      description: DESCRIPTION,
      tags: [{ name: 'cloudevents' }, { name: 'event-sourcing' }],
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: '{bootstrap}',
        protocol: 'kafka',
        description: 'The Kafka cluster the deployment names in KAFKA_BROKERS.',
        variables: { bootstrap: { default: 'localhost:9092', description: 'One bootstrap broker, host:port.' } },
      },
    },
    channels: Object.fromEntries(topics.map((topic) => [CHANNEL_IDS[topic], channel(topic)])),
    operations: Object.fromEntries(topics.map((topic) => [`send${capitalize(CHANNEL_IDS[topic])}`, sendOperation(topic)])),
    components: {
      schemas: {
        ...Object.fromEntries(topics.map((topic) => [HEADER_SCHEMA_IDS[topic], asAsyncApiSchema(cloudEventHeadersSchema(topic))])),
        ...Object.fromEntries(
          Object.entries(EVENT_SCHEMAS_BY_CE_TYPE).map(([ceType, schema]) => [
            EVENT_TYPE_BY_CE_TYPE[ceType as NewsroomCeType],
            asAsyncApiSchema(schema),
          ]),
        ),
      },
      messages: Object.fromEntries(
        topics.flatMap((topic) => CE_TYPES_BY_TOPIC[topic].map((ceType) => [ceType, message(topic, ceType)])),
      ),
    },
  };
}

export function renderAsyncApiYaml(): string {
  return `# Generated by \`npm run contracts:asyncapi\` from libs/contracts/src/schemas. Do not edit.\n${stringify(buildAsyncApiDocument(), { lineWidth: 0 })}`;
}

function channel(topic: NewsroomTopic) {
  const address = NEWSROOM_TOPICS[topic];
  const what = topic === 'articles' ? 'Every article workflow event (drafts to retractions, claims and verdicts)' : 'Every reader reaction';
  return {
    address,
    title: address,
    description:
      `${what}, keyed by article id. Partitions: ${DEFAULT_PARTITIONS} unless the deployment sets ` +
      'KAFKA_TOPIC_PARTITIONS; never increased on an existing topic, since that would move articles to other partitions.',
    messages: Object.fromEntries(
      CE_TYPES_BY_TOPIC[topic].map((ceType) => [ceType, { $ref: `#/components/messages/${ceType}` }]),
    ),
    bindings: {
      kafka: { topic: address, partitions: DEFAULT_PARTITIONS, bindingVersion: KAFKA_BINDING_VERSION },
    },
  };
}

/**
 * What Newsroom does on the channel. An AsyncAPI 3 document describes its application, and
 * Newsroom sends: `send` (a subscriber's own document, or a code generator for one, takes the
 * mirror image, `receive`).
 */
function sendOperation(topic: NewsroomTopic) {
  const channelId = CHANNEL_IDS[topic];
  return {
    action: 'send',
    channel: { $ref: `#/channels/${channelId}` },
    title: `Newsroom publishes to ${NEWSROOM_TOPICS[topic]}`,
    summary: 'Every committed event, keyed by article id; subscribe in a consumer group of your own and dispatch on ce_type.',
    description:
      'To subscribe: use a group id of your own (one per downstream service or projection). Commit a batch\'s ' +
      'offsets only after it is handled: a failure then redelivers it. Deduplicate by `ce_id`. To replay from ' +
      'the beginning, start a new group id or reset the group\'s offsets to the earliest, with a record of ' +
      'seen `ce_id`s that starts empty: one kept from before would skip every event of the replay as a duplicate.',
    messages: CE_TYPES_BY_TOPIC[topic].map((ceType) => ({ $ref: `#/channels/${channelId}/messages/${ceType}` })),
  };
}

function message(topic: NewsroomTopic, ceType: NewsroomCeType) {
  const eventType = EVENT_TYPE_BY_CE_TYPE[ceType];
  const payload = EVENT_SCHEMAS_BY_CE_TYPE[ceType];
  return {
    name: ceType,
    title: eventType,
    summary: payload.description,
    contentType: 'application/json',
    headers: {
      type: 'object',
      allOf: [
        { $ref: `#/components/schemas/${HEADER_SCHEMA_IDS[topic]}` },
        { type: 'object', properties: { ce_type: { type: 'string', const: ceType } } },
      ],
    },
    payload: { $ref: `#/components/schemas/${eventType}` },
    bindings: { kafka: { key: MESSAGE_KEY_SCHEMA, bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

/**
 * AsyncAPI 3 schemas are a superset of JSON Schema draft-07; the keywords our schemas use mean
 * the same there, so only the 2020-12 `$schema` declaration is left out.
 */
function asAsyncApiSchema({ $schema: _dialect, ...schema }: JSONSchema): JSONSchema {
  return schema;
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
