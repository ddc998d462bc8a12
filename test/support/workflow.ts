import type { VerdictRating } from '#libs/contracts';
import { seedStory } from './seed-story.js';
import { httpClient, STAFF, tokenOf, type HttpResult } from './test-app.js';

/** What every write answers. */
export interface Write {
  id: string;
  version: number;
  position: number;
}

export interface DraftContent {
  headline?: string;
  standfirst?: string;
  body?: string;
  section?: string;
  tags?: string[];
}

export const TOKENS = {
  reporter: tokenOf(STAFF.reporter),
  otherReporter: tokenOf(STAFF.otherReporter),
  editor: tokenOf(STAFF.editor),
  factChecker: tokenOf(STAFF.factChecker),
  admin: tokenOf(STAFF.admin),
};

/** Read-your-writes: the header that makes a read wait for the read models to reach this write. */
export const after = (write: Pick<Write, 'position'>) => ({ headers: { 'x-min-position': String(write.position) } });

/** The article workflow over HTTP, step by step; each step fails loudly unless the service accepts it. */
export function workflow(http: ReturnType<typeof httpClient>) {
  async function write<T = Write>(method: 'post' | 'patch', path: string, body: unknown, token: string, status = [200, 201]): Promise<T> {
    const response: HttpResult<T> = await http[method](path, body, { token });
    if (!status.includes(response.status)) {
      throw new Error(`${method.toUpperCase()} ${path} answered ${response.status}: ${response.text}`);
    }
    return response.body;
  }

  const steps = {
    draft: (content: DraftContent = {}, token = TOKENS.reporter) =>
      write('post', '/articles', { headline: seedStory.headline, body: seedStory.body, section: seedStory.section, tags: seedStory.tags, ...content }, token),
    revise: (id: string, changes: DraftContent, token = TOKENS.editor) => write('patch', `/articles/${id}`, changes, token),
    claim: (id: string, text: string, quote?: string) =>
      write<Write & { claimId: string }>('post', `/articles/${id}/claims`, { text, ...(quote ? { quote } : {}) }, TOKENS.reporter),
    verdict: (id: string, claimId: string, rating: VerdictRating) =>
      write('post', `/articles/${id}/claims/${claimId}/verdict`, { rating, explanation: 'Checked against the readouts.', sources: ['https://english.news.cn/'] }, TOKENS.factChecker),
    submit: (id: string) => write('post', `/articles/${id}/submit`, undefined, TOKENS.reporter),
    approve: (id: string) => write('post', `/articles/${id}/approve`, undefined, TOKENS.editor),
    publish: (id: string, overrideReason?: string) => write('post', `/articles/${id}/publish`, overrideReason ? { overrideReason } : {}, TOKENS.editor),
    correct: (id: string, text: string, kind: 'correction' | 'clarification' = 'correction') =>
      write('post', `/articles/${id}/corrections`, { kind, text }, TOKENS.editor),
    retract: (id: string, reason: string) => write('post', `/articles/${id}/retract`, { reason }, TOKENS.editor),
    note: (id: string, text = 'Legal checked the Taiwan paragraph.') => write('post', `/articles/${id}/notes`, { text }, TOKENS.factChecker),
    assign: (id: string, userId: string, as: 'reporter' | 'editor' | 'fact_checker', name?: string) =>
      write('post', `/articles/${id}/assign`, { userId, as, ...(name ? { name } : {}) }, TOKENS.editor),

    /**
     * Drafted, claims added and rated, submitted, approved and published (with an override reason
     * when a rating would stop the gate). Answers the id, the claim ids and the last write.
     */
    async publishedStory(content: DraftContent = {}, ratings: VerdictRating[] = ['true']) {
      const { id } = await steps.draft(content);
      const claimIds: string[] = [];
      for (const [index, rating] of ratings.entries()) {
        const claim = seedStory.claims[index % seedStory.claims.length];
        const { claimId } = await steps.claim(id, claim.text, claim.quote);
        await steps.verdict(id, claimId, rating);
        claimIds.push(claimId);
      }
      await steps.submit(id);
      await steps.approve(id);
      const gateStops = ratings.some((rating) => ['false', 'mostly_false', 'unverifiable'].includes(rating));
      const last = await steps.publish(id, gateStops ? 'The story explains the disputed rating.' : undefined);
      return { id, claimIds, last };
    },
  };
  return steps;
}
