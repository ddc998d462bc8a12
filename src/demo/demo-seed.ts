import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { StaffClaims, VerdictRating } from '#libs/contracts';
import type { WriteContext } from '../articles/article-stream.js';
import { AddClaimCommand } from '../articles/commands/add-claim/add-claim.command.js';
import { ApproveArticleCommand } from '../articles/commands/approve-article/approve-article.command.js';
import { DraftArticleCommand } from '../articles/commands/draft-article/draft-article.command.js';
import { PublishArticleCommand } from '../articles/commands/publish-article/publish-article.command.js';
import { RecordVerdictCommand } from '../articles/commands/record-verdict/record-verdict.command.js';
import { SubmitArticleCommand } from '../articles/commands/submit-article/submit-article.command.js';
import { v7 as uuidv7 } from 'uuid';
import { loadSeedStory } from './seed-story.js';

const REPORTER: StaffClaims = { sub: 'demo-reporter', name: 'Mei Lin', roles: ['reporter'] };
const EDITOR: StaffClaims = { sub: 'demo-editor', name: 'Daniel Okafor', roles: ['editor'] };
const FACT_CHECKER: StaffClaims = { sub: 'demo-fact-checker', name: 'Sofia Marquez', roles: ['fact_checker'] };

// The demo's verdicts, claim by claim (all pass the publish gate).
const RATINGS: VerdictRating[] = ['true', 'true', 'true', 'mostly_true', 'true', 'true', 'half_true'];
const SOURCES = ['https://www.whitehouse.gov/briefings-statements/', 'https://english.news.cn/'];

/**
 * First start of the embedded default: an empty store gets the seed story, drafted, fact-checked
 * and published through the same commands staff use, so a newcomer sees a live feed at once.
 */
@Injectable()
export class DemoSeed implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoSeed.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly commandBus: CommandBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const [{ any }] = await this.dataSource.query('SELECT EXISTS (SELECT 1 FROM events) AS any');
    if (any) return;
    const articleId = await this.publishSeedStory();
    this.logger.log({ msg: 'loaded the seed story as a demo', articleId });
  }

  async publishSeedStory(): Promise<string> {
    const story = loadSeedStory();
    const articleId = uuidv7();
    const as = (actor: StaffClaims): WriteContext => ({ articleId, actor, correlationId: 'demo-seed' });

    await this.commandBus.execute(
      new DraftArticleCommand(as(REPORTER), {
        headline: story.headline,
        body: story.body,
        section: story.section,
        tags: story.tags,
        standfirst: `${story.dateline}: the two leaders spoke for an hour on trade, Taiwan and Ukraine.`,
      }),
    );
    const claimIds: string[] = [];
    for (const claim of story.claims) {
      const { claimId } = await this.commandBus.execute(new AddClaimCommand(as(REPORTER), claim));
      claimIds.push(claimId);
    }
    await this.commandBus.execute(new SubmitArticleCommand(as(REPORTER)));
    await this.commandBus.execute(new ApproveArticleCommand(as(EDITOR)));
    for (const [index, claimId] of claimIds.entries()) {
      await this.commandBus.execute(
        new RecordVerdictCommand(as(FACT_CHECKER), claimId, {
          rating: RATINGS[index % RATINGS.length],
          explanation: 'Checked against the White House and Xinhua readouts of the call.',
          sources: SOURCES,
        }),
      );
    }
    await this.commandBus.execute(new PublishArticleCommand(as(EDITOR), {}));
    return articleId;
  }
}
