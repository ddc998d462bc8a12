import {
  ARTICLE_CLOUD_EVENT_TYPES,
  ARTICLE_EVENT_SCHEMAS,
  ASSIGNMENT_ROLES,
  CE_TYPES_BY_TOPIC,
  cloudEventHeadersSchema,
  CORRECTION_KINDS,
  EVENT_SCHEMAS_BY_CE_TYPE,
  EVENT_TYPE_BY_CE_TYPE,
  NEWSROOM_CE_TYPES,
  REACTION_CLOUD_EVENT_TYPES,
  REACTION_EVENT_SCHEMAS,
  REACTION_KINDS,
  VERDICT_RATING_VALUES,
  VERDICT_RATINGS,
  type ArticleEvent,
  type ArticleEventType,
  type JSONSchema,
  type NewsroomCeType,
  type ReactionEvent,
  type ReactionEventType,
} from './index.js';
import { createContractValidator } from './schemas/contract-validator.js';

/**
 * Keeps the TypeScript event types and the JSON Schemas from drifting apart. The samples are typed
 * with the TS types, so the compiler checks them (and that every event type has some); the schemas
 * must accept them all, with every field present. A field added to a type and not to its schema
 * fails here (additionalProperties: false), and so does a schema field the type lacks (required).
 */

type DataOf<Event extends { type: string; data: unknown }, Type extends Event['type']> = Extract<Event, { type: Type }>['data'];
type Samples<Event extends { type: string; data: unknown }> = { [Type in Event['type']]: DataOf<Event, Type>[] };

const articleId = '0192f3a4-5b6c-7d8e-9f00-112233445566';
const claimId = '0192f3a4-5b6c-7d8e-9f00-aabbccddeeff';
const at = '2026-11-27T10:15:00.000Z';
const alice = { id: 'alice', name: 'Alice Chen' };
const erin = { id: 'erin', name: 'Erin Walsh' };
const farid = { id: 'farid', name: 'Farid Haddad' };
const content = {
  headline: 'Xi presses Trump on Taiwan as leaders agree to meet in China next April',
  standfirst: 'Chinese leader raises Taiwan in a rare call.',
  body: 'Chinese President Xi Jinping told US President Donald Trump ...',
  section: 'world',
  tags: ['china', 'us', 'taiwan'],
};

const ARTICLE_SAMPLES: Samples<ArticleEvent> = {
  ArticleDrafted: [
    { articleId, ...content, author: alice, draftedAt: at },
    { articleId, ...content, standfirst: null, tags: [], author: alice, draftedAt: at },
  ],
  ArticleRevised: [
    { articleId, changes: { ...content }, revisedBy: alice, revisedAt: at },
    { articleId, changes: { standfirst: null }, revisedBy: erin, revisedAt: at },
    { articleId, changes: { tags: [] }, revisedBy: erin, revisedAt: at },
  ],
  ArticleSubmitted: [{ articleId, submittedBy: alice, submittedAt: at }],
  ChangesRequested: [{ articleId, reason: 'Attribute the tariff figures.', requestedBy: erin, requestedAt: at }],
  ArticleApproved: [{ articleId, approvedBy: erin, approvedAt: at }],
  ClaimAdded: [
    { articleId, claimId, text: 'The call lasted an hour.', quote: 'an hour-long call', addedBy: alice, addedAt: at },
    { articleId, claimId, text: 'The call lasted an hour.', quote: null, addedBy: farid, addedAt: at },
  ],
  FactChecked: VERDICT_RATINGS.map((rating) => ({
    articleId,
    claimId,
    rating,
    ratingValue: VERDICT_RATING_VALUES[rating],
    explanation: 'Matches the White House and Xinhua readouts.',
    sources: ['https://www.whitehouse.gov/briefings-statements/', 'http://english.news.cn/'],
    checkedBy: farid,
    checkedAt: at,
  })),
  PublishScheduled: [{ articleId, publishAt: '2026-11-28T06:00:00.000Z', scheduledBy: erin, scheduledAt: at }],
  Published: [
    {
      articleId,
      ...content,
      slug: 'xi-presses-trump-on-taiwan-as-leaders-agree-to-meet-in-china-next-april-33445566',
      authors: [alice, { id: 'bob', name: 'Bob Osei' }],
      publishedAt: at,
      publishedBy: erin,
      overrideReason: null,
      scheduled: false,
    },
    {
      articleId,
      ...content,
      standfirst: null,
      slug: 'article-33445566',
      authors: [alice],
      publishedAt: at,
      publishedBy: erin,
      overrideReason: 'The unverifiable claim is attributed, and the story is in the public interest.',
      scheduled: true,
    },
  ],
  CorrectionIssued: CORRECTION_KINDS.map((kind) => ({
    articleId,
    correctionId: '0192f3a4-5b6c-7d8e-9f00-000000000001',
    kind,
    text: 'An earlier version misstated the length of the call.',
    issuedBy: erin,
    issuedAt: at,
  })),
  ArticleRetracted: [{ articleId, reason: 'The central claim did not hold up.', retractedBy: erin, retractedAt: at }],
  EditorialNoteAdded: [
    { articleId, noteId: '0192f3a4-5b6c-7d8e-9f00-000000000002', text: 'Legal checked it.', author: farid, addedAt: at },
  ],
  ArticleAssigned: ASSIGNMENT_ROLES.map((as) => ({
    articleId,
    assignee: { id: 'bob', name: 'Bob Osei' },
    as,
    assignedBy: erin,
    assignedAt: at,
  })),
};

const REACTION_SAMPLES: Samples<ReactionEvent> = {
  ReactionAdded: REACTION_KINDS.map((kind) => ({ articleId, readerId: 'r-7f3a9c', kind, reactedAt: at })),
  ReactionChanged: [
    { articleId, readerId: 'r-7f3a9c', kind: 'love', previousKind: 'like', reactedAt: at },
    { articleId, readerId: 'r-7f3a9c', kind: 'wow', previousKind: 'sad', reactedAt: at },
  ],
  ReactionRemoved: REACTION_KINDS.map((previousKind) => ({ articleId, readerId: 'r-7f3a9c', previousKind, removedAt: at })),
};

const ceTypeOf = (type: ArticleEventType | ReactionEventType): NewsroomCeType =>
  NEWSROOM_CE_TYPES.find((ceType) => EVENT_TYPE_BY_CE_TYPE[ceType] === type)!;

const positiveCases = Object.entries({ ...ARTICLE_SAMPLES, ...REACTION_SAMPLES }).flatMap(([type, samples]) =>
  (samples as unknown[]).map((data, index) => ({
    name: `${type} #${index + 1}`,
    ceType: ceTypeOf(type as ArticleEventType | ReactionEventType),
    data,
  })),
);

const sample = <T extends ArticleEventType>(type: T, index = 0) => structuredClone(ARTICLE_SAMPLES[type][index]) as Record<string, any>;
const reactionSample = <T extends ReactionEventType>(type: T, index = 0) =>
  structuredClone(REACTION_SAMPLES[type][index]) as Record<string, any>;
const without = (data: Record<string, any>, field: string) => {
  delete data[field];
  return data;
};

/** Values that are valid TypeScript-wise (or close to it) but break the contract. */
const negativeCases: [NewsroomCeType, string, Record<string, any>][] = [
  ['newsroom.article.drafted.v1', 'no articleId', without(sample('ArticleDrafted'), 'articleId')],
  ['newsroom.article.drafted.v1', 'an articleId that is not a UUID', { ...sample('ArticleDrafted'), articleId: 'article-42' }],
  ['newsroom.article.drafted.v1', 'an unknown field', { ...sample('ArticleDrafted'), wordCount: 840 }],
  ['newsroom.article.drafted.v1', 'a blank headline', { ...sample('ArticleDrafted'), headline: '   ' }],
  ['newsroom.article.drafted.v1', 'a standfirst left out instead of null', without(sample('ArticleDrafted'), 'standfirst')],
  ['newsroom.article.drafted.v1', 'an empty standfirst instead of null', { ...sample('ArticleDrafted'), standfirst: '' }],
  ['newsroom.article.drafted.v1', 'duplicate tags', { ...sample('ArticleDrafted'), tags: ['china', 'china'] }],
  ['newsroom.article.drafted.v1', 'a time that is not RFC 3339', { ...sample('ArticleDrafted'), draftedAt: '27/11/2026 10:15' }],
  ['newsroom.article.drafted.v1', 'an author without a name', { ...sample('ArticleDrafted'), author: { id: 'alice' } }],
  ['newsroom.article.drafted.v1', 'an author with extra fields', { ...sample('ArticleDrafted'), author: { ...alice, roles: ['reporter'] } }],
  ['newsroom.article.revised.v1', 'no changes at all', { ...sample('ArticleRevised'), changes: {} }],
  ['newsroom.article.revised.v1', 'a change to a field that is not content', { ...sample('ArticleRevised'), changes: { slug: 'x' } }],
  ['newsroom.article.revised.v1', 'a headline changed to null', { ...sample('ArticleRevised'), changes: { headline: null } }],
  ['newsroom.claim.added.v1', 'a claimId that is not a UUID', { ...sample('ClaimAdded'), claimId: 'claim-1' }],
  ['newsroom.claim.fact-checked.v1', 'an unknown rating', { ...sample('FactChecked'), rating: 'pants_on_fire', ratingValue: 0 }],
  ['newsroom.claim.fact-checked.v1', 'a ratingValue that does not match the rating', { ...sample('FactChecked'), ratingValue: 3 }],
  ['newsroom.claim.fact-checked.v1', 'a number for unverifiable', { ...sample('FactChecked', VERDICT_RATINGS.indexOf('unverifiable')), ratingValue: 1 }],
  ['newsroom.claim.fact-checked.v1', 'a source that is not a URL', { ...sample('FactChecked'), sources: ['the White House readout'] }],
  ['newsroom.claim.fact-checked.v1', 'a source that is not http(s)', { ...sample('FactChecked'), sources: ['ftp://example.org/readout'] }],
  ['newsroom.article.published.v1', 'no authors', { ...sample('Published'), authors: [] }],
  ['newsroom.article.published.v1', 'a slug with capitals', { ...sample('Published'), slug: 'Xi-Presses-Trump' }],
  ['newsroom.article.published.v1', 'scheduled given as text', { ...sample('Published'), scheduled: 'false' }],
  ['newsroom.article.published.v1', 'an empty override reason', { ...sample('Published'), overrideReason: '' }],
  ['newsroom.article.correction-issued.v1', 'an unknown kind', { ...sample('CorrectionIssued'), kind: 'erratum' }],
  ['newsroom.article.assigned.v1', 'an assignment as admin', { ...sample('ArticleAssigned'), as: 'admin' }],
  ['newsroom.article.retracted.v1', 'no reason', without(sample('ArticleRetracted'), 'reason')],
  ['newsroom.reaction.added.v1', 'a kind not on the reaction bar', { ...reactionSample('ReactionAdded'), kind: 'meh' }],
  ['newsroom.reaction.added.v1', 'no readerId', without(reactionSample('ReactionAdded'), 'readerId')],
  ['newsroom.reaction.changed.v1', 'a change to the same kind', { ...reactionSample('ReactionChanged'), kind: 'like', previousKind: 'like' }],
  ['newsroom.reaction.removed.v1', 'a kind instead of previousKind', { ...without(reactionSample('ReactionRemoved'), 'previousKind'), kind: 'like' }],
];

describe('event data JSON Schemas', () => {
  const validator = createContractValidator();

  it('has a schema for every event type, under its ce_type', () => {
    expect(Object.keys(ARTICLE_EVENT_SCHEMAS).sort()).toEqual(Object.keys(ARTICLE_CLOUD_EVENT_TYPES).sort());
    expect(Object.keys(REACTION_EVENT_SCHEMAS).sort()).toEqual(Object.keys(REACTION_CLOUD_EVENT_TYPES).sort());
    expect(Object.keys(EVENT_SCHEMAS_BY_CE_TYPE)).toHaveLength(13 + 3);
    for (const [type, ceType] of Object.entries(ARTICLE_CLOUD_EVENT_TYPES)) {
      expect(EVENT_SCHEMAS_BY_CE_TYPE[ceType as NewsroomCeType]).toBe(ARTICLE_EVENT_SCHEMAS[type as ArticleEventType]);
    }
    for (const [type, ceType] of Object.entries(REACTION_CLOUD_EVENT_TYPES)) {
      expect(EVENT_SCHEMAS_BY_CE_TYPE[ceType as NewsroomCeType]).toBe(REACTION_EVENT_SCHEMAS[type as ReactionEventType]);
    }
  });

  it('names each ce_type exactly as ARTICLE_CLOUD_EVENT_TYPES and REACTION_CLOUD_EVENT_TYPES do', () => {
    const fromContracts = Object.fromEntries(
      Object.entries({ ...ARTICLE_CLOUD_EVENT_TYPES, ...REACTION_CLOUD_EVENT_TYPES }).map(([type, ceType]) => [ceType, type]),
    );
    expect(EVENT_TYPE_BY_CE_TYPE).toEqual(fromContracts);
    expect(CE_TYPES_BY_TOPIC.articles).toEqual(expect.arrayContaining(Object.values(ARTICLE_CLOUD_EVENT_TYPES)));
    expect(CE_TYPES_BY_TOPIC.reactions).toEqual(Object.values(REACTION_CLOUD_EVENT_TYPES));
    expect(CE_TYPES_BY_TOPIC.articles).toHaveLength(13);
  });

  it('is strict everywhere: every object lists its fields, requires them (events) and allows no others', () => {
    for (const [ceType, schema] of Object.entries(EVENT_SCHEMAS_BY_CE_TYPE)) {
      expect({ ceType, $schema: schema.$schema }).toEqual({ ceType, $schema: 'https://json-schema.org/draft/2020-12/schema' });
      expect({ ceType, required: [...(schema.required ?? [])].sort() }).toEqual({ ceType, required: Object.keys(schema.properties!).sort() });
      expect(schema.properties!.articleId).toMatchObject({ type: 'string', format: 'uuid' });
      for (const objectSchema of objectSchemasIn(schema)) {
        expect({ ceType, additionalProperties: objectSchema.additionalProperties }).toEqual({ ceType, additionalProperties: false });
      }
    }
  });

  it('takes its enums from the constants the TypeScript code uses', () => {
    expect(ARTICLE_EVENT_SCHEMAS.FactChecked.properties!.rating.enum).toBe(VERDICT_RATINGS);
    expect(ARTICLE_EVENT_SCHEMAS.CorrectionIssued.properties!.kind.enum).toBe(CORRECTION_KINDS);
    expect(ARTICLE_EVENT_SCHEMAS.ArticleAssigned.properties!.as.enum).toBe(ASSIGNMENT_ROLES);
    for (const schema of Object.values(REACTION_EVENT_SCHEMAS)) {
      for (const field of ['kind', 'previousKind']) {
        if (schema.properties![field]) expect(schema.properties![field].enum).toBe(REACTION_KINDS);
      }
    }
  });

  it.each(positiveCases)('accepts a typed sample: $name', ({ ceType, data }) => {
    expect(validator.dataErrors(ceType, data)).toEqual([]);
  });

  it.each(negativeCases)('refuses %s data with %s', (ceType, _, data) => {
    expect(validator.dataErrors(ceType, data)).not.toEqual([]);
  });

  it('refuses data under an unknown ce_type', () => {
    expect(validator.dataErrors('newsroom.article.deleted.v1', ARTICLE_SAMPLES.ArticleApproved[0])).toEqual([
      'unknown ce_type "newsroom.article.deleted.v1"',
    ]);
  });
});

describe('CloudEvents headers schema', () => {
  const validator = createContractValidator();
  const articleHeaders = {
    ce_specversion: '1.0',
    ce_id: '0192f3a4-5b6c-7d8e-9f00-0000000000aa',
    ce_source: '/newsroom',
    ce_type: 'newsroom.article.published.v1',
    ce_subject: articleId,
    ce_time: at,
    'content-type': 'application/json',
    ce_streamid: `article-${articleId}`,
    ce_streamversion: '21',
    ce_position: '1234',
  };
  const reactionHeaders = {
    ...articleHeaders,
    ce_type: 'newsroom.reaction.added.v1',
    ce_streamid: `reaction-${articleId}:r-7f3a9c`,
    ce_streamversion: '1',
  };

  it('accepts the contract headers, and headers it does not know (subscribers ignore those)', () => {
    expect(validator.headerErrors('articles', articleHeaders)).toEqual([]);
    expect(validator.headerErrors('reactions', reactionHeaders)).toEqual([]);
    expect(validator.headerErrors('articles', { ...articleHeaders, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).toEqual([]);
  });

  it.each([
    ['a missing ce_streamid', 'articles', { ce_streamid: undefined }],
    ['a missing ce_id', 'articles', { ce_id: undefined }],
    ['another spec version', 'articles', { ce_specversion: '0.3' }],
    ['a reaction ce_type on the article topic', 'articles', { ce_type: 'newsroom.reaction.added.v1' }],
    ['an article ce_type on the reaction topic', 'reactions', { ce_type: 'newsroom.article.published.v1' }],
    ['a reaction stream id on the article topic', 'articles', { ce_streamid: `reaction-${articleId}:r-1` }],
    ['an article stream id on the reaction topic', 'reactions', { ce_streamid: `article-${articleId}` }],
    ['stream version 0', 'articles', { ce_streamversion: '0' }],
    ['a negative position', 'articles', { ce_position: '-1' }],
    ['a subject that is not an article id', 'articles', { ce_subject: 'article-42' }],
    ['a non-JSON content type', 'articles', { 'content-type': 'text/plain' }],
  ] as const)('refuses headers with %s', (_, topic, change) => {
    const headers: Record<string, string | undefined> = { ...(topic === 'articles' ? articleHeaders : reactionHeaders), ...change };
    for (const name of Object.keys(headers)) if (headers[name] === undefined) delete headers[name];
    expect(validator.headerErrors(topic, headers as Record<string, string>)).not.toEqual([]);
  });

  it('has a schema per message type that pins ce_type, and refuses a type from the other topic', () => {
    expect(cloudEventHeadersSchema('articles', 'newsroom.article.published.v1').properties!.ce_type).toMatchObject({
      const: 'newsroom.article.published.v1',
    });
    expect(() => cloudEventHeadersSchema('articles', 'newsroom.reaction.added.v1')).toThrow(/not published on the articles topic/);
  });
});

function objectSchemasIn(schema: JSONSchema): JSONSchema[] {
  const nested = [
    ...Object.values(schema.properties ?? {}),
    ...(schema.items ? [schema.items] : []),
  ].flatMap(objectSchemasIn);
  return schema.type === 'object' ? [schema, ...nested] : nested;
}
