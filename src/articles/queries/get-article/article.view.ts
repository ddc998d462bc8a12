import type { ArticleContent } from '#libs/contracts';
import type { Article } from '../../domain/article.state.js';
import { publishGate } from '../../domain/article.decider.js';
import type { PublishGateProblem } from '../../domain/article.errors.js';

/** What staff see of an article: its content and state, its version, and what still stops publishing. */
export type ArticleView = ArticleContent &
  Omit<Article, 'content' | 'knownNames'> & {
    version: number;
    publishGate: { open: boolean; problems: PublishGateProblem[] };
  };

export function toArticleView(article: Article, version: number): ArticleView {
  const { content, knownNames: _internal, ...rest } = article;
  const problems = publishGate(article);
  return { ...rest, ...content, version, publishGate: { open: problems.length === 0, problems } };
}
