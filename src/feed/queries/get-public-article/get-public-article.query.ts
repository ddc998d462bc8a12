import { Query } from '@nestjs/cqrs';
import type { PublicArticle } from '../../public-article.js';

/** A published story by its slug; 404 when there is none, 410 when it was retracted. */
export class GetPublicArticleQuery extends Query<PublicArticle> {
  constructor(readonly slug: string) {
    super();
  }
}
