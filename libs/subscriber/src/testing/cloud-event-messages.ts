import { randomUUID } from 'node:crypto';
import {
  articleStreamId,
  EVENT_TYPE_BY_CE_TYPE,
  reactionStreamId,
  TOPIC_OF_CE_TYPE,
  type EventDataOfCeType,
  type NewsroomCeType,
} from '#libs/contracts';
import { toCloudEventMessage, type IncomingMessage, type OutgoingMessage, type PublishableEvent } from '#libs/kafka';

/** Test-only: messages as the service's relay writes them (not exported from the library). */

export interface EventSpec<Type extends NewsroomCeType> {
  type: Type;
  data: EventDataOfCeType<Type>;
  eventId?: string;
  streamVersion?: number;
  position?: number;
}

export function cloudEventMessage<Type extends NewsroomCeType>(spec: EventSpec<Type>): OutgoingMessage {
  const articleId = spec.data.articleId;
  const readerId = (spec.data as { readerId?: string }).readerId;
  const ofArticle = TOPIC_OF_CE_TYPE[spec.type] === 'articles';
  const event = {
    eventId: spec.eventId ?? randomUUID(),
    streamId: ofArticle ? articleStreamId(articleId) : reactionStreamId(articleId, readerId ?? ''),
    streamVersion: spec.streamVersion ?? 1,
    type: EVENT_TYPE_BY_CE_TYPE[spec.type],
    data: spec.data,
    recordedAt: new Date('2026-11-27T10:15:00.000Z'),
    position: spec.position ?? 1,
  } satisfies PublishableEvent;
  return toCloudEventMessage(event, { type: spec.type });
}

/** The message as a consumer receives it. */
export function delivered(message: OutgoingMessage, offset: number, topic = 'test-topic', partition = 0): IncomingMessage {
  return {
    topic,
    partition,
    offset: String(offset),
    key: Buffer.from(message.key),
    value: Buffer.from(message.value),
    headers: { ...message.headers },
    timestamp: String(Date.now()),
  };
}

export const PEOPLE = { alice: { id: 'alice', name: 'Alice Chen' }, erin: { id: 'erin', name: 'Erin Walsh' } };

export function publishedData(articleId: string, headline: string): EventDataOfCeType<'newsroom.article.published.v1'> {
  return {
    articleId,
    headline,
    standfirst: null,
    body: `${headline}. The body.`,
    section: 'world',
    tags: ['test'],
    slug: `${headline.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${articleId.slice(-8)}`,
    authors: [PEOPLE.alice],
    publishedAt: '2026-11-27T10:15:00.000Z',
    publishedBy: PEOPLE.erin,
    overrideReason: null,
    scheduled: false,
  };
}

export function correctionData(articleId: string, text: string): EventDataOfCeType<'newsroom.article.correction-issued.v1'> {
  return {
    articleId,
    correctionId: randomUUID(),
    kind: 'correction',
    text,
    issuedBy: PEOPLE.erin,
    issuedAt: '2026-11-27T11:00:00.000Z',
  };
}
