import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { StaffClaims, VerdictRating } from '#libs/contracts';
import {
  AddClaimCommand,
  ApproveArticleCommand,
  ArticleDomainError,
  ArticleStream,
  DraftArticleCommand,
  PublishArticleCommand,
  RecordVerdictCommand,
  SubmitArticleCommand,
  type WriteContext,
} from '../articles/index.js';
import { v7 as uuidv7 } from 'uuid';
import { loadSeedStory } from './seed-story.js';

const REPORTER: StaffClaims = { sub: 'demo-reporter', name: 'Mei Lin', roles: ['reporter'] };
const EDITOR: StaffClaims = { sub: 'demo-editor', name: 'Daniel Okafor', roles: ['editor'] };
const FACT_CHECKER: StaffClaims = { sub: 'demo-fact-checker', name: 'Sofia Marquez', roles: ['fact_checker'] };

// The demo's verdicts, claim by claim (all pass the publish gate).
const RATINGS: VerdictRating[] = ['true', 'true', 'true', 'mostly_true', 'true', 'true', 'half_true'];
const SOURCES = ['https://www.whitehouse.gov/briefings-statements/', 'https://english.news.cn/'];

/** Every event the demo writes carries this correlation id: how a later start recognises them. */
const DEMO_CORRELATION_ID = 'demo-seed';

/**
 * First start of the embedded default: an empty store gets the seed story, drafted, fact-checked
 * and published through the same commands staff use, so a newcomer sees a live feed at once.
 * The steps are separate writes, so a first start killed half-way leaves part of the demo; the
 * next start finishes it, as long as the store holds nothing but the demo.
 */
@Injectable()
export class DemoSeed implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoSeed.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly commandBus: CommandBus,
    private readonly articles: ArticleStream,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Someone has used the store: leave it alone. (EXISTS stops at the first such event.)
    const [{ used }] = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM events WHERE metadata->>'correlationId' IS DISTINCT FROM $1) AS used`,
      [DEMO_CORRELATION_ID],
    );
    if (used) return;
    // Nothing but the demo's own events, a few dozen at most: is it complete?
    const [store] = await this.dataSource.query(
      `SELECT min(stream_id) FILTER (WHERE type = 'ArticleDrafted') AS demo_stream, bool_or(type = 'Published') AS published FROM events`,
    );
    if (store.published) return;
    const unfinished: string | null = store.demo_stream === null ? null : store.demo_stream.replace(/^article-/, '');
    const articleId = await this.publishSeedStory(unfinished ?? uuidv7());
    this.logger.log({ msg: unfinished ? 'finished loading the seed story as a demo' : 'loaded the seed story as a demo', articleId });
  }

  /** Takes the seed story from wherever it stands (nowhere yet, by default) to published. */
  async publishSeedStory(articleId: string = uuidv7()): Promise<string> {
    const story = loadSeedStory();
    const as = (actor: StaffClaims): WriteContext => ({ articleId, actor, correlationId: DEMO_CORRELATION_ID });
    const current = async () => (await this.articles.load(articleId)).article;

    const exists = await this.articles.load(articleId).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ArticleDomainError && error.status === 404) return false;
        throw error;
      },
    );
    if (!exists) {
      await this.commandBus.execute(
        new DraftArticleCommand(as(REPORTER), {
          headline: story.headline,
          body: story.body,
          section: story.section,
          tags: story.tags,
          standfirst: `${story.dateline}: the two leaders spoke for an hour on trade, Taiwan and Ukraine.`,
        }),
      );
    }
    const added = new Set((await current()).claims.map((claim) => claim.text));
    for (const claim of story.claims.filter(({ text }) => !added.has(text))) {
      await this.commandBus.execute(new AddClaimCommand(as(REPORTER), claim));
    }
    if ((await current()).status === 'draft') await this.commandBus.execute(new SubmitArticleCommand(as(REPORTER)));
    if ((await current()).status === 'in_review') await this.commandBus.execute(new ApproveArticleCommand(as(EDITOR)));
    for (const claim of (await current()).claims.filter(({ verdict }) => verdict === null)) {
      const index = story.claims.findIndex(({ text }) => text === claim.text);
      await this.commandBus.execute(
        new RecordVerdictCommand(as(FACT_CHECKER), claim.id, {
          rating: RATINGS[index % RATINGS.length],
          explanation: 'Checked against the White House and Xinhua readouts of the call.',
          sources: SOURCES,
        }),
      );
    }
    if ((await current()).status === 'approved') await this.commandBus.execute(new PublishArticleCommand(as(EDITOR), {}));
    return articleId;
  }
}
