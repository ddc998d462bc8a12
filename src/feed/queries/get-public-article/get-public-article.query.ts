import { Query } from '@nestjs/cqrs';
import type { PublicArticle } from '../../public-article.js';

export interface PublicArticleRead {
  article: PublicArticle;
  /** The newest change the story reflects: its own or its reaction counts'. */
  lastModified: Date;
}

/** A published story by its slug; 404 when there is none, 410 when it was retracted. */
export class GetPublicArticleQuery extends Query<PublicArticleRead> {
  constructor(readonly slug: string) {
    super();
  }
}
