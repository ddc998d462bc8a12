/*
 * What other features use of the articles feature: its module, the stream that runs commands,
 * the commands themselves (sent on the CommandBus), its refusals, its input limits, and whether a
 * story is published.
 */
export { ArticlesModule } from './articles.module.js';
export { ArticleStream, type WriteContext, type WriteResult } from './article-stream.js';
export { ArticleEventsAppended } from './article-events-appended.js';
export { ARTICLE_LIMITS } from './article-limits.js';
export { articlePublication, type ArticlePublication } from './article-publication.js';
export { ArticleDomainError } from './domain/article.errors.js';
export { AddClaimCommand } from './commands/add-claim/add-claim.command.js';
export { ApproveArticleCommand } from './commands/approve-article/approve-article.command.js';
export { DraftArticleCommand } from './commands/draft-article/draft-article.command.js';
export { PublishArticleCommand } from './commands/publish-article/publish-article.command.js';
export { PublishScheduledArticleCommand } from './commands/publish-scheduled-article/publish-scheduled-article.command.js';
export { RecordVerdictCommand } from './commands/record-verdict/record-verdict.command.js';
export { SubmitArticleCommand } from './commands/submit-article/submit-article.command.js';
