import {
  ARTICLE_CLOUD_EVENT_TYPES,
  type ArticleEvent,
  type ArticleEventType,
} from '../article-events.js';
import type { ReactionEvent } from '../reaction-events.js';
import { ARTICLE_STREAM_TYPE, REACTION_STREAM_TYPE, type StreamType } from '../streams.js';
import { ARTICLE_EVENT_SCHEMAS } from './article-event.schemas.js';
import type { JSONSchema } from './json-schema.js';
import { REACTION_EVENT_SCHEMAS } from './reaction-event.schemas.js';

/** Everything the service publishes to Kafka, by `ce_type`: what a subscriber dispatches on. */

/** The public topics (deployments may rename them; tests use unique names). */
export const NEWSROOM_TOPICS = {
  articles: 'newsroom.article-events.v1',
  reactions: 'newsroom.reactions.v1',
} as const;
export type NewsroomTopic = keyof typeof NEWSROOM_TOPICS;

/** The stream type whose events each topic carries. */
export const STREAM_TYPE_OF_TOPIC: Record<NewsroomTopic, StreamType> = {
  articles: ARTICLE_STREAM_TYPE,
  reactions: REACTION_STREAM_TYPE,
};

export type NewsroomEvent = ArticleEvent | ReactionEvent;
export type NewsroomEventType = NewsroomEvent['type'];

/**
 * `ce_type` -> event type name. The literal twin of ARTICLE_CLOUD_EVENT_TYPES and
 * REACTION_CLOUD_EVENT_TYPES (whose values are typed `string`): the literals are what lets a
 * subscriber's handler for a ce_type get that event's data type. A spec keeps the maps equal.
 */
export const EVENT_TYPE_BY_CE_TYPE = {
  'newsroom.article.drafted.v1': 'ArticleDrafted',
  'newsroom.article.revised.v1': 'ArticleRevised',
  'newsroom.article.submitted.v1': 'ArticleSubmitted',
  'newsroom.article.changes-requested.v1': 'ChangesRequested',
  'newsroom.article.approved.v1': 'ArticleApproved',
  'newsroom.article.publish-scheduled.v1': 'PublishScheduled',
  'newsroom.article.published.v1': 'Published',
  'newsroom.article.correction-issued.v1': 'CorrectionIssued',
  'newsroom.article.retracted.v1': 'ArticleRetracted',
  'newsroom.article.note-added.v1': 'EditorialNoteAdded',
  'newsroom.article.assigned.v1': 'ArticleAssigned',
  'newsroom.claim.added.v1': 'ClaimAdded',
  'newsroom.claim.fact-checked.v1': 'FactChecked',
  'newsroom.reaction.added.v1': 'ReactionAdded',
  'newsroom.reaction.changed.v1': 'ReactionChanged',
  'newsroom.reaction.removed.v1': 'ReactionRemoved',
} as const satisfies Record<string, NewsroomEventType>;

export type NewsroomCeType = keyof typeof EVENT_TYPE_BY_CE_TYPE;
export type EventTypeOfCeType<T extends NewsroomCeType> = (typeof EVENT_TYPE_BY_CE_TYPE)[T];
/** The data (message value) of the events of one ce_type. */
export type EventDataOfCeType<T extends NewsroomCeType> = Extract<NewsroomEvent, { type: EventTypeOfCeType<T> }>['data'];

export const NEWSROOM_CE_TYPES = Object.keys(EVENT_TYPE_BY_CE_TYPE) as NewsroomCeType[];

export const isNewsroomCeType = (value: string): value is NewsroomCeType => Object.hasOwn(EVENT_TYPE_BY_CE_TYPE, value);

const isArticleEventType = (type: NewsroomEventType): type is ArticleEventType => Object.hasOwn(ARTICLE_CLOUD_EVENT_TYPES, type);

/** Which topic carries each ce_type. */
export const TOPIC_OF_CE_TYPE = Object.fromEntries(
  NEWSROOM_CE_TYPES.map((ceType) => [ceType, isArticleEventType(EVENT_TYPE_BY_CE_TYPE[ceType]) ? 'articles' : 'reactions']),
) as Record<NewsroomCeType, NewsroomTopic>;

export const CE_TYPES_BY_TOPIC: Record<NewsroomTopic, readonly NewsroomCeType[]> = {
  articles: NEWSROOM_CE_TYPES.filter((ceType) => TOPIC_OF_CE_TYPE[ceType] === 'articles'),
  reactions: NEWSROOM_CE_TYPES.filter((ceType) => TOPIC_OF_CE_TYPE[ceType] === 'reactions'),
};

const SCHEMAS_BY_EVENT_TYPE: Record<NewsroomEventType, JSONSchema> = { ...ARTICLE_EVENT_SCHEMAS, ...REACTION_EVENT_SCHEMAS };

/** The JSON Schema of the message value, by ce_type. */
export const EVENT_SCHEMAS_BY_CE_TYPE = Object.fromEntries(
  NEWSROOM_CE_TYPES.map((ceType) => [ceType, SCHEMAS_BY_EVENT_TYPE[EVENT_TYPE_BY_CE_TYPE[ceType]]]),
) as Record<NewsroomCeType, JSONSchema>;

