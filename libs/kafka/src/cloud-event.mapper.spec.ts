import { Kafka as CloudEventsKafka, type CloudEvent, type KafkaMessage } from 'cloudevents';
import { ARTICLE_STREAM_TYPE, articleStreamId, REACTION_STREAM_TYPE, reactionStreamId } from '#libs/contracts';
import type { RecordedEvent } from '#libs/event-store';
import {
  CloudEventMessageError,
  fromCloudEventMessage,
  toCloudEventMessage,
  type CloudEventEnvelope,
} from './cloud-event.mapper.js';

// The stream id differs from the article id, as in the store: keying by the wrong one shows.
const ARTICLE_ID = '0192f3a4-0000-7000-8000-00000000a42a';

const recorded = (overrides: Partial<RecordedEvent> = {}): RecordedEvent => ({
  eventId: '0192f3a4-5b6c-7d8e-9f00-112233445566',
  streamId: articleStreamId(ARTICLE_ID),
  streamType: ARTICLE_STREAM_TYPE,
  streamVersion: 7,
  type: 'ArticleSubmitted',
  data: { articleId: ARTICLE_ID, submittedBy: { id: 'alice', name: 'Alice Chen' }, submittedAt: '2026-01-02T03:04:05.000Z' },
  metadata: { actor: { sub: 'alice', name: 'Alice Chen', roles: ['reporter'] } },
  recordedAt: new Date('2026-01-02T03:04:05.678Z'),
  position: 1234,
  transactionId: '998877',
  ...overrides,
});

/** As a Kafka client delivers it: header values and value as Buffers. */
const asDelivered = (message: ReturnType<typeof toCloudEventMessage>) => ({
  key: Buffer.from(message.key),
  value: Buffer.from(message.value),
  headers: Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value).toString()])),
});

describe('CloudEvents mapping (binary mode, Kafka binding)', () => {
  it('keys by article id and writes exactly the contract headers, the data as the JSON value', () => {
    const event = recorded();
    const message = toCloudEventMessage(event, { type: 'newsroom.article.submitted.v1' });

    expect(message.key).toBe(ARTICLE_ID);
    expect(JSON.parse(message.value.toString())).toEqual(event.data);
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: '0192f3a4-5b6c-7d8e-9f00-112233445566',
      ce_source: '/newsroom',
      ce_type: 'newsroom.article.submitted.v1',
      ce_subject: ARTICLE_ID,
      ce_time: '2026-01-02T03:04:05.678Z',
      'content-type': 'application/json',
      ce_streamid: event.streamId,
      ce_streamversion: '7',
      ce_position: '1234',
    });
  });

  it('keys a reaction by its article id, not by its (article, reader) stream', () => {
    const event = recorded({
      streamId: reactionStreamId(ARTICLE_ID, 'reader-0001'),
      streamType: REACTION_STREAM_TYPE,
      streamVersion: 2,
      type: 'ReactionAdded',
      data: { articleId: ARTICLE_ID, readerId: 'reader-0001', kind: 'like', reactedAt: '2026-01-02T03:04:05.000Z' },
    });
    const message = toCloudEventMessage(event, { type: 'newsroom.reaction.added.v1' });

    expect(message.key).toBe(ARTICLE_ID);
    expect(message.headers.ce_subject).toBe(ARTICLE_ID);
    expect(message.headers.ce_streamid).toBe(`reaction-${ARTICLE_ID}:reader-0001`);
  });

  it('takes the source from the caller', () => {
    const message = toCloudEventMessage(recorded(), { type: 't', source: '//newsroom.example/eu' });
    expect(message.headers.ce_source).toBe('//newsroom.example/eu');
  });

  it('refuses an event without data.articleId, or without a ce_type', () => {
    expect(() => toCloudEventMessage(recorded({ data: { claimId: 'c' } }), { type: 't' })).toThrow(CloudEventMessageError);
    expect(() => toCloudEventMessage(recorded({ data: null }), { type: 't' })).toThrow(/articleId/);
    expect(() => toCloudEventMessage(recorded(), { type: '' })).toThrow(CloudEventMessageError);
  });

  it('reads a delivered message back into a typed envelope', () => {
    const event = recorded();
    const envelope = fromCloudEventMessage<{ articleId: string }>(
      asDelivered(toCloudEventMessage(event, { type: 'newsroom.article.submitted.v1' })),
    );
    expect(envelope).toEqual<CloudEventEnvelope<unknown>>({
      id: event.eventId,
      type: 'newsroom.article.submitted.v1',
      source: '/newsroom',
      subject: ARTICLE_ID,
      time: '2026-01-02T03:04:05.678Z',
      streamId: event.streamId,
      streamVersion: 7,
      position: 1234,
      data: event.data,
    });
  });

  it.each([
    ['a missing ce_id', { ce_id: undefined }],
    ['another spec version', { ce_specversion: '0.3' }],
    ['a non-JSON content type', { 'content-type': 'text/plain' }],
    ['a stream version that is not a number', { ce_streamversion: 'seven' }],
    ['a negative position', { ce_position: '-1' }],
  ])('refuses a message with %s', (_, change) => {
    const delivered = asDelivered(toCloudEventMessage(recorded(), { type: 't' }));
    const headers = { ...delivered.headers, ...change } as Record<string, string | undefined>;
    for (const name of Object.keys(headers)) if (headers[name] === undefined) delete headers[name];
    expect(() => fromCloudEventMessage({ ...delivered, headers: headers as Record<string, string> })).toThrow(
      CloudEventMessageError,
    );
  });

  it('refuses a value that is not JSON', () => {
    const delivered = asDelivered(toCloudEventMessage(recorded(), { type: 't' }));
    expect(() => fromCloudEventMessage({ ...delivered, value: Buffer.from('{nope') })).toThrow(/not JSON/);
    expect(() => fromCloudEventMessage({ ...delivered, value: null })).toThrow(/no value/);
  });

  it('is a valid CloudEvent to the cloudevents SDK, attributes and extensions included', () => {
    const event = recorded();
    const message = toCloudEventMessage(event, { type: 'newsroom.article.submitted.v1' });
    // The SDK's reader wants text headers; a consumer decodes kafkajs's Buffers first.
    const sdkMessage: KafkaMessage<string> = {
      headers: { ...message.headers },
      key: message.key,
      value: message.value.toString(),
      body: message.value.toString(),
    };
    const cloudEvent = CloudEventsKafka.toEvent(sdkMessage) as CloudEvent<unknown>;

    expect(cloudEvent.validate()).toBe(true);
    expect(cloudEvent).toMatchObject({
      specversion: '1.0',
      id: event.eventId,
      source: '/newsroom',
      type: 'newsroom.article.submitted.v1',
      subject: ARTICLE_ID,
      time: '2026-01-02T03:04:05.678Z',
      datacontenttype: 'application/json',
      streamid: event.streamId,
      streamversion: '7',
      position: '1234',
      data: event.data,
    });
  });
});
