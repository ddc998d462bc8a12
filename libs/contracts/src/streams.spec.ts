import {
  ARTICLE_STREAM_TYPE,
  articleIdOfData,
  articleStreamId,
  cloudEventHeadersSchema,
  REACTION_STREAM_TYPE,
  reactionStreamId,
  STREAM_TYPE_OF_TOPIC,
} from './index.js';

const articleId = '0192f3a4-5b6c-7d8e-9f00-112233445566';
const streamIdPattern = (topic: 'articles' | 'reactions') =>
  new RegExp(cloudEventHeadersSchema(topic).properties!.ce_streamid.pattern!);

describe('streams', () => {
  it('makes the stream ids the published ce_streamid patterns describe', () => {
    expect(articleStreamId(articleId)).toMatch(streamIdPattern('articles'));
    expect(reactionStreamId(articleId, 'reader-0001')).toMatch(streamIdPattern('reactions'));
  });

  it('maps each topic to the stream type it carries', () => {
    expect(STREAM_TYPE_OF_TOPIC).toEqual({ articles: ARTICLE_STREAM_TYPE, reactions: REACTION_STREAM_TYPE });
  });

  it('reads the article id of event data, whatever its stream', () => {
    expect(articleIdOfData({ articleId, readerId: 'reader-0001' })).toBe(articleId);
    expect(articleIdOfData({ claimId: 'c' })).toBeUndefined();
    expect(articleIdOfData({ articleId: 42 })).toBeUndefined();
    expect(articleIdOfData(null)).toBeUndefined();
  });
});
