import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Article } from './domain/article.state.js';

/** An article folded from its stream up to a version. */
export interface FoldedArticle {
  article: Article;
  version: number;
}

/** Roughly the characters an entry keeps alive: its text, plus a flat share per claim, note and correction. */
const sizeOf = ({ article }: FoldedArticle): number =>
  article.content.headline.length + (article.content.standfirst?.length ?? 0) + article.content.body.length +
  500 * (1 + article.claims.length + article.notes.length + article.corrections.length);

/**
 * The last state this process folded or wrote per article stream, so a command is decided on it
 * without reading the stream, or at most reads the events appended since, never the whole stream
 * with its body again (a story's workflow is one command after another on the same stream).
 *
 * Always true, whatever other processes write: events are immutable, so the fold of versions
 * 1..N never changes, and an append names the version N it was decided on: it lands only if
 * nothing came after. Bounded by the text it holds (about 16 MB at most).
 */
@Injectable()
export class ArticleStateCache {
  private readonly entries = new LRUCache<string, FoldedArticle>({ max: 10_000, maxSize: 8_000_000, sizeCalculation: sizeOf });

  get(streamId: string): FoldedArticle | undefined {
    return this.entries.get(streamId);
  }

  /** Keeps the newer fold only: a slower request must not put back an older version. */
  remember(streamId: string, folded: FoldedArticle): void {
    const known = this.entries.peek(streamId);
    if (known === undefined || known.version < folded.version) this.entries.set(streamId, folded);
  }
}
