import { readFileSync } from 'node:fs';
import {
  FLAGGED_RATINGS,
  VERDICT_RATINGS,
  type ArticleContent,
  type ArticleEvent,
  type ArticleStatus,
  type AssignmentRole,
  type CorrectionKind,
  type Published,
  type VerdictRating,
} from '#libs/contracts';
import { DeciderSpecification } from '#libs/testing';
import {
  SCHEDULER_ACTOR,
  personOf,
  type Actor,
  type ArticleCommand,
  type ArticleCommandType,
  type ReviseArticle,
} from './article.commands.js';
import { articleDecider, decide, evolve, foldArticle, initialState, publishGate } from './article.decider.js';
import {
  ArticleConflictError,
  ArticleForbiddenError,
  ArticleNotFoundError,
  ArticleValidationError,
  ClaimNotFoundError,
  PublishGateError,
  type ArticleConflictCode,
  type ArticleForbiddenCode,
  type PublishGateProblem,
} from './article.errors.js';
import type { Article } from './article.state.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: the seed story, a small staff, and the events of the story at each status
// ---------------------------------------------------------------------------------------------

interface SeedStory {
  headline: string;
  section: string;
  tags: string[];
  body: string;
  claims: { text: string; quote: string }[];
}
const seedFile = new URL('../../../seed/xi-trump-call.json', import.meta.url);
const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as SeedStory;

const ID = '0199d0c4-5e3a-7b21-9f4e-6a1b2c3d4e5f';
const SLUG = 'xi-presses-trump-on-taiwan-as-leaders-agree-to-meet-in-china-next-april-2c3d4e5f';

const alice: Actor = { sub: 'u-alice', name: 'Alice Chen', roles: ['reporter'] }; // the drafter
const dave: Actor = { sub: 'u-dave', name: 'Dave Kim', roles: ['reporter'] }; // another reporter
const frank: Actor = { sub: 'u-frank', name: 'Frank Ito', roles: ['reporter'] }; // assigned as reporter in some stories
const bob: Actor = { sub: 'u-bob', name: 'Bob Okafor', roles: ['editor'] };
const carol: Actor = { sub: 'u-carol', name: 'Carol Diaz', roles: ['fact_checker'] };
const erin: Actor = { sub: 'u-erin', name: 'Erin Park', roles: ['admin'] };

const NOW = new Date('2025-12-02T10:00:00.000Z');
const NOW_ISO = NOW.toISOString();
/** Times of the given events: minutes after 2025-12-01T09:00Z, all before NOW. */
const at = (minute: number): string => new Date(Date.UTC(2025, 11, 1, 9, minute)).toISOString();
/** The scheduled time of the scheduled story: due at NOW. */
const DUE_AT = '2025-12-02T09:00:00.000Z';

const claims = seed.claims.map((claim, i) => ({ id: `claim-${i + 1}`, ...claim }));

const draftedEvent = (by: Actor, draftedAt: string): ArticleEvent => ({
  type: 'ArticleDrafted',
  data: {
    articleId: ID,
    headline: seed.headline,
    standfirst: null,
    body: seed.body,
    section: seed.section,
    tags: seed.tags,
    author: personOf(by),
    draftedAt,
  },
});
const drafted = draftedEvent(alice, at(0));
const claimAdded = (claim: { id: string; text: string; quote: string | null }, minute = 1): ArticleEvent => ({
  type: 'ClaimAdded',
  data: {
    articleId: ID,
    claimId: claim.id,
    text: claim.text,
    quote: claim.quote,
    addedBy: personOf(alice),
    addedAt: at(minute),
  },
});
const submitted = (by: Actor = alice, minute = 10): ArticleEvent => ({
  type: 'ArticleSubmitted',
  data: { articleId: ID, submittedBy: personOf(by), submittedAt: at(minute) },
});
const changesRequested = (minute = 12): ArticleEvent => ({
  type: 'ChangesRequested',
  data: { articleId: ID, reason: 'Attribute the Taiwan remark.', requestedBy: personOf(bob), requestedAt: at(minute) },
});
const factChecked = (claimId: string, rating: VerdictRating, minute = 20): ArticleEvent => ({
  type: 'FactChecked',
  data: {
    articleId: ID,
    claimId,
    rating,
    ratingValue: { true: 5, mostly_true: 4, half_true: 3, mostly_false: 2, false: 1, unverifiable: null }[rating],
    explanation: `Rated ${rating}.`,
    sources: ['https://example.org/source'],
    checkedBy: personOf(carol),
    checkedAt: at(minute),
  },
});
const approved = (minute = 30): ArticleEvent => ({
  type: 'ArticleApproved',
  data: { articleId: ID, approvedBy: personOf(bob), approvedAt: at(minute) },
});
const publishScheduled = (publishAt = DUE_AT, minute = 40): ArticleEvent => ({
  type: 'PublishScheduled',
  data: { articleId: ID, publishAt, scheduledBy: personOf(bob), scheduledAt: at(minute) },
});
const published = (data: Partial<Published['data']> = {}): Published => ({
  type: 'Published',
  data: {
    articleId: ID,
    headline: seed.headline,
    standfirst: null,
    body: seed.body,
    section: seed.section,
    tags: seed.tags,
    slug: SLUG,
    authors: [personOf(alice)],
    publishedAt: at(50),
    publishedBy: personOf(bob),
    overrideReason: null,
    scheduled: false,
    ...data,
  },
});
const retracted = (minute = 59): ArticleEvent => ({
  type: 'ArticleRetracted',
  data: { articleId: ID, reason: 'Sourcing failed.', retractedBy: personOf(bob), retractedAt: at(minute) },
});
const assigned = (who: Actor, as: AssignmentRole, minute = 5): ArticleEvent => ({
  type: 'ArticleAssigned',
  data: { articleId: ID, assignee: personOf(who), as, assignedBy: personOf(bob), assignedAt: at(minute) },
});

const revisedEvent = (changes: Partial<ArticleContent>, by: Actor, revisedAt: string): ArticleEvent => ({
  type: 'ArticleRevised',
  data: { articleId: ID, changes, revisedBy: personOf(by), revisedAt },
});

const allClaimsAdded = claims.map((claim, i) => claimAdded(claim, 1 + i));
const allClaimsRated = claims.map((claim, i) => factChecked(claim.id, 'true', 20 + i));

const draftStory = [drafted, ...allClaimsAdded];
const inReviewStory = [...draftStory, submitted()];
const changesRequestedStory = [...inReviewStory, changesRequested()];
const approvedStory = [...inReviewStory, ...allClaimsRated, approved()];
const scheduledStory = [...approvedStory, publishScheduled()];
const publishedStory = [...approvedStory, published()];
const retractedStory = [...publishedStory, retracted()];

const STORY: Record<ArticleStatus, ArticleEvent[]> = {
  draft: draftStory,
  in_review: inReviewStory,
  changes_requested: changesRequestedStory,
  approved: approvedStory,
  scheduled: scheduledStory,
  published: publishedStory,
  retracted: retractedStory,
};
const ALL_STATUSES = Object.keys(STORY) as ArticleStatus[];
const except = (...allowed: ArticleStatus[]): ArticleStatus[] => ALL_STATUSES.filter((s) => !allowed.includes(s));

/** An approved article whose claims carry these verdicts (`null`: not rated). */
const approvedWithVerdicts = (...ratings: (VerdictRating | null)[]): ArticleEvent[] => [
  drafted,
  ...ratings.map((_, i) => claimAdded(claims[i]!, 1 + i)),
  submitted(),
  ...ratings.flatMap((rating, i) => (rating === null ? [] : [factChecked(claims[i]!.id, rating, 20 + i)])),
  approved(),
];

// Commands: ids fixed, time NOW unless told.
type CommandOf<T extends ArticleCommandType> = Extract<ArticleCommand, { type: T }>;
type CommandInput<T extends ArticleCommandType> = Omit<CommandOf<T>['data'], 'articleId' | 'actor' | 'now'>;
const command = <T extends ArticleCommandType>(
  type: T,
  input: CommandInput<T>,
  actor: Actor,
  now = NOW,
): CommandOf<T> =>
  ({ type, data: { ...input, articleId: ID, actor, now } }) as unknown as CommandOf<T>;

const draftArticle = (actor: Actor = alice, input: Partial<CommandInput<'DraftArticle'>> = {}) =>
  command(
    'DraftArticle',
    { headline: seed.headline, body: seed.body, section: seed.section, tags: seed.tags, ...input },
    actor,
  );
const reviseArticle = (changes: ReviseArticle['data']['changes'], actor: Actor = alice) =>
  command('ReviseArticle', { changes }, actor);
const submitArticle = (actor: Actor = alice) => command('SubmitArticle', {}, actor);
const requestChanges = (actor: Actor = bob, reason = 'Attribute the Taiwan remark.') =>
  command('RequestChanges', { reason }, actor);
const approveArticle = (actor: Actor = bob) => command('ApproveArticle', {}, actor);
const addClaim = (actor: Actor = alice, input: Partial<CommandInput<'AddClaim'>> = {}) =>
  command('AddClaim', { claimId: 'claim-new', text: 'Tariffs average just under 50%.', ...input }, actor);
const recordVerdict = (claimId = 'claim-1', rating: VerdictRating = 'true', actor: Actor = carol) =>
  command(
    'RecordVerdict',
    { claimId, rating, explanation: 'White House readout.', sources: ['https://example.org/readout'] },
    actor,
  );
const publishArticle = (overrideReason?: string, actor: Actor = bob) =>
  command('PublishArticle', overrideReason === undefined ? {} : { overrideReason }, actor);
const publishScheduledArticle = (now = NOW) => command('PublishScheduledArticle', {}, SCHEDULER_ACTOR, now);
const schedulePublish = (publishAt = new Date('2025-12-03T06:00:00.000Z'), actor: Actor = bob) =>
  command('SchedulePublish', { publishAt }, actor);
const issueCorrection = (actor: Actor = bob, input: Partial<CommandInput<'IssueCorrection'>> = {}) =>
  command(
    'IssueCorrection',
    { correctionId: 'corr-1', kind: 'correction', text: 'The call lasted one hour.', ...input },
    actor,
  );
const retractArticle = (actor: Actor = bob, reason = 'The central claim did not hold up.') =>
  command('RetractArticle', { reason }, actor);
const addEditorialNote = (actor: Actor = alice, input: Partial<CommandInput<'AddEditorialNote'>> = {}) =>
  command('AddEditorialNote', { noteId: 'note-1', text: 'Check the Leavitt quote.', ...input }, actor);
const assignArticle = (who: Actor = frank, as: AssignmentRole = 'reporter', actor: Actor = bob) =>
  command('AssignArticle', { assignee: personOf(who), as }, actor);

const given = DeciderSpecification.for(articleDecider);

const conflict =
  (code: ArticleConflictCode, status?: ArticleStatus) =>
  (error: ArticleConflictError): boolean =>
    error.code === code && error.status === 409 && (status === undefined || error.currentStatus === status);
const forbidden =
  (code: ArticleForbiddenCode) =>
  (error: ArticleForbiddenError): boolean =>
    error.code === code && error.status === 403;
const invalidFields =
  (...fields: string[]) =>
  (error: ArticleValidationError): boolean =>
    error.status === 400 && error.errors.map((e) => e.field).join() === fields.join();

/** One test per status in which the command is refused as an invalid transition. */
const refusedIn = (statuses: ArticleStatus[], make: () => ArticleCommand): void => {
  it.each(statuses)('is refused with 409 when the article is %s', (status) => {
    given(STORY[status])
      .when(make())
      .thenThrows(ArticleConflictError, conflict('article.invalid-transition', status));
  });
};

// ---------------------------------------------------------------------------------------------
// decide
// ---------------------------------------------------------------------------------------------

describe('article decider', () => {
  describe('any command on an article that does not exist', () => {
    const commands: ArticleCommand[] = [
      reviseArticle({ headline: 'New' }),
      submitArticle(),
      requestChanges(),
      approveArticle(),
      addClaim(),
      recordVerdict(),
      publishArticle(),
      publishScheduledArticle(),
      schedulePublish(),
      issueCorrection(),
      retractArticle(),
      addEditorialNote(),
      assignArticle(),
    ];
    it.each(commands.map((c) => [c.type, c] as const))('%s is refused with 404', (_, cmd) => {
      given([]).when(cmd).thenThrows(ArticleNotFoundError, (e) => e.code === 'article.not-found' && e.status === 404);
    });
  });

  describe('DraftArticle', () => {
    it('drafts the story with the reporter as author', () => {
      given([]).when(draftArticle()).then([draftedEvent(alice, NOW_ISO)]);
    });

    it('lets an editor draft too', () => {
      given([]).when(draftArticle(bob)).then([draftedEvent(bob, NOW_ISO)]);
    });

    it('keeps a standfirst, stores a blank one as null, dedupes tags and defaults them to none', () => {
      const withStandfirst = draftArticle(alice, { standfirst: 'A rare direct call.', tags: ['china', 'china'] });
      const [kept] = decide(withStandfirst, null);
      expect(kept!.data).toMatchObject({ standfirst: 'A rare direct call.', tags: ['china'] });
      const [blank] = decide(draftArticle(alice, { standfirst: '   ', tags: undefined }), null);
      expect(blank!.data).toMatchObject({ standfirst: null, tags: [] });
    });

    it.each([carol, erin])('refuses $name ($roles) with 403', (actor) => {
      given([]).when(draftArticle(actor)).thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    it('refuses a stream that already exists with 409', () => {
      given([drafted])
        .when(draftArticle())
        .thenThrows(ArticleConflictError, conflict('article.already-exists', 'draft'));
    });

    it('refuses blank headline, body and section with 400 naming each field', () => {
      given([])
        .when(draftArticle(alice, { headline: ' ', body: '', section: '' }))
        .thenThrows(ArticleValidationError, invalidFields('headline', 'body', 'section'));
    });

    it.each([
      ['a blank tag', ['china', ' ']],
      ['a tag that is not a string', ['china', 7]],
      ['tags that are not a list', 'china'],
    ])('refuses %s with 400 on tags', (_, tags) => {
      given([])
        .when(draftArticle(alice, { tags: tags as string[] }))
        .thenThrows(ArticleValidationError, invalidFields('tags'));
    });
  });

  describe('ReviseArticle', () => {
    const revised = (changes: Partial<ArticleContent>, by: Actor = alice) => revisedEvent(changes, by, NOW_ISO);

    it('emits only the fields that really changed', () => {
      given(draftStory)
        .when(
          reviseArticle({ headline: seed.headline, body: 'New body.', tags: seed.tags, standfirst: 'Xi and Trump talk.' }),
        )
        .then([revised({ body: 'New body.', standfirst: 'Xi and Trump talk.' })]);
    });

    it('clears the standfirst with null and detects changed tags', () => {
      given([...draftStory, revisedEvent({ standfirst: 'S' }, alice, at(8))])
        .when(reviseArticle({ standfirst: null, tags: ['china', 'taiwan'] }))
        .then([revised({ standfirst: null, tags: ['china', 'taiwan'] })]);
    });

    it.each(['draft', 'in_review', 'changes_requested', 'approved', 'scheduled', 'published'] as const)(
      'lets the author revise when %s',
      (status) => {
        given(STORY[status]).when(reviseArticle({ body: 'B' })).then([revised({ body: 'B' })]);
      },
    );

    it('lets a reporter assigned to the article revise it', () => {
      given([...draftStory, assigned(frank, 'reporter')])
        .when(reviseArticle({ body: 'B' }, frank))
        .then([revised({ body: 'B' }, frank)]);
    });

    it.each(['draft', 'in_review', 'changes_requested', 'approved', 'scheduled', 'published'] as const)(
      'lets an editor revise when %s',
      (status) => {
        given(STORY[status]).when(reviseArticle({ body: 'B' }, bob)).then([revised({ body: 'B' }, bob)]);
      },
    );

    it.each([dave, carol, erin])('refuses $name ($roles), neither author nor editor, with 403', (actor) => {
      given(draftStory)
        .when(reviseArticle({ body: 'B' }, actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.not-author'));
    });

    it('lets the author revise whatever roles the token holds now (the contract says author)', () => {
      const asFactChecker: Actor = { ...alice, roles: ['fact_checker'] };
      given(draftStory).when(reviseArticle({ body: 'B' }, asFactChecker)).then([revised({ body: 'B' }, asFactChecker)]);
    });

    it.each([alice, bob])('refuses $name with 409 once retracted', (actor) => {
      given(retractedStory)
        .when(reviseArticle({ body: 'B' }, actor))
        .thenThrows(ArticleConflictError, conflict('article.invalid-transition', 'retracted'));
    });

    it.each([
      ['the same values', { headline: seed.headline, body: seed.body, section: seed.section, tags: seed.tags }],
      ['no fields at all', {}],
      ['a blank standfirst where there is none', { standfirst: '  ' }],
      ['the same tags with a duplicate', { tags: [...seed.tags, seed.tags[0]!] }],
    ])('refuses a revision with %s as 409 article.no-changes', (_, changes) => {
      given(draftStory)
        .when(reviseArticle(changes))
        .thenThrows(ArticleConflictError, conflict('article.no-changes', 'draft'));
    });

    it.each([
      ['a blank headline', 'changes.headline', { headline: '' }],
      ['a blank body', 'changes.body', { body: ' ' }],
      ['a blank section', 'changes.section', { section: '' }],
      ['a blank tag', 'changes.tags', { tags: ['china', ''] }],
      ['tags that are not a list', 'changes.tags', { tags: 'china' as unknown as string[] }],
    ])('refuses %s with 400 on %s', (_, field, changes) => {
      given(draftStory).when(reviseArticle(changes)).thenThrows(ArticleValidationError, invalidFields(field));
    });

    it('names every invalid field of a revision at once, in field order', () => {
      given(draftStory)
        .when(reviseArticle({ headline: '', body: '', section: '', tags: [''] }))
        .thenThrows(
          ArticleValidationError,
          invalidFields('changes.headline', 'changes.body', 'changes.section', 'changes.tags'),
        );
    });
  });

  describe('SubmitArticle', () => {
    const submittedNow = (by: Actor = alice): ArticleEvent => ({
      type: 'ArticleSubmitted',
      data: { articleId: ID, submittedBy: personOf(by), submittedAt: NOW_ISO },
    });

    it.each(['draft', 'changes_requested'] as const)('sends the article to review from %s', (status) => {
      given(STORY[status]).when(submitArticle()).then([submittedNow()]);
    });

    it('lets a reporter assigned to the article submit it', () => {
      given([...draftStory, assigned(frank, 'reporter')]).when(submitArticle(frank)).then([submittedNow(frank)]);
    });

    it('refuses someone assigned in another role with 403', () => {
      given([...draftStory, assigned(frank, 'fact_checker')])
        .when(submitArticle(frank))
        .thenThrows(ArticleForbiddenError, forbidden('article.not-author'));
    });

    it.each([bob, dave])('refuses $name, who is not an author, with 403', (actor) => {
      given(draftStory).when(submitArticle(actor)).thenThrows(ArticleForbiddenError, forbidden('article.not-author'));
    });

    it.each([{ ...alice, roles: ['fact_checker' as const] }, { ...alice, roles: ['admin' as const] }])(
      'lets the author submit holding only $roles (the contract says author), as a revision',
      (actor) => {
        given(draftStory).when(submitArticle(actor)).then([submittedNow(actor)]);
      },
    );

    refusedIn(except('draft', 'changes_requested'), () => submitArticle());
  });

  describe('RequestChanges', () => {
    it('sends the article back with the reason', () => {
      given(inReviewStory)
        .when(requestChanges())
        .then([
          {
            type: 'ChangesRequested',
            data: {
              articleId: ID,
              reason: 'Attribute the Taiwan remark.',
              requestedBy: personOf(bob),
              requestedAt: NOW_ISO,
            },
          },
        ]);
    });

    it.each([alice, carol, erin])('refuses $name ($roles) with 403', (actor) => {
      given(inReviewStory)
        .when(requestChanges(actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    refusedIn(except('in_review'), () => requestChanges());

    it('refuses a blank reason with 400', () => {
      given(inReviewStory).when(requestChanges(bob, ' ')).thenThrows(ArticleValidationError, invalidFields('reason'));
    });
  });

  describe('ApproveArticle', () => {
    it('approves an article in review, rated or not: the gate applies at publishing', () => {
      given(inReviewStory)
        .when(approveArticle())
        .then([{ type: 'ArticleApproved', data: { articleId: ID, approvedBy: personOf(bob), approvedAt: NOW_ISO } }]);
    });

    it.each([alice, carol, erin])('refuses $name ($roles) with 403', (actor) => {
      given(inReviewStory)
        .when(approveArticle(actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    refusedIn(except('in_review'), () => approveArticle());
  });

  describe('AddClaim', () => {
    const claimAddedNow = (by: Actor, quote: string | null = null): ArticleEvent => ({
      type: 'ClaimAdded',
      data: {
        articleId: ID,
        claimId: 'claim-new',
        text: 'Tariffs average just under 50%.',
        quote,
        addedBy: personOf(by),
        addedAt: NOW_ISO,
      },
    });

    it.each([alice, bob, carol])('lets $name ($roles) add a claim', (actor) => {
      given(draftStory).when(addClaim(actor)).then([claimAddedNow(actor)]);
    });

    it('keeps the quote', () => {
      given(draftStory)
        .when(addClaim(alice, { quote: 'averaging just under 50%' }))
        .then([claimAddedNow(alice, 'averaging just under 50%')]);
    });

    it.each(['draft', 'in_review', 'changes_requested', 'approved', 'scheduled'] as const)(
      'accepts claims before publishing: %s',
      (status) => {
        given(STORY[status]).when(addClaim(bob)).then([claimAddedNow(bob)]);
      },
    );

    it('refuses an admin with 403', () => {
      given(draftStory).when(addClaim(erin)).thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    refusedIn(['published', 'retracted'], () => addClaim());

    it('refuses a claim id that is already used with 409', () => {
      given(draftStory)
        .when(addClaim(alice, { claimId: 'claim-1' }))
        .thenThrows(ArticleConflictError, conflict('article.duplicate-id'));
    });

    it('refuses a blank text with 400', () => {
      given(draftStory).when(addClaim(alice, { text: '' })).thenThrows(ArticleValidationError, invalidFields('text'));
    });

    it.each([
      ['a blank claim id', { claimId: ' ' }, ['claimId']],
      ['a blank claim id and text', { claimId: '', text: '' }, ['claimId', 'text']],
    ])('refuses %s with 400 naming each field', (_, input, fields) => {
      given(draftStory).when(addClaim(alice, input)).thenThrows(ArticleValidationError, invalidFields(...fields));
    });
  });

  describe('RecordVerdict', () => {
    const checkedNow = (rating: VerdictRating, ratingValue: number | null, claimId = 'claim-1'): ArticleEvent => ({
      type: 'FactChecked',
      data: {
        articleId: ID,
        claimId,
        rating,
        ratingValue,
        explanation: 'White House readout.',
        sources: ['https://example.org/readout'],
        checkedBy: personOf(carol),
        checkedAt: NOW_ISO,
      },
    });

    it.each([
      ['true', 5],
      ['mostly_true', 4],
      ['half_true', 3],
      ['mostly_false', 2],
      ['false', 1],
      ['unverifiable', null],
    ] as const)('rates a claim %s with ratingValue %s', (rating, value) => {
      given(inReviewStory).when(recordVerdict('claim-1', rating)).then([checkedNow(rating, value)]);
    });

    it('re-rates a claim that already has a verdict', () => {
      given([...inReviewStory, factChecked('claim-2', 'false')])
        .when(recordVerdict('claim-2', 'mostly_true'))
        .then([checkedNow('mostly_true', 4, 'claim-2')]);
    });

    it('refuses the very verdict the claim already has as 409 article.no-changes', () => {
      given([...inReviewStory, checkedNow('true', 5)])
        .when(recordVerdict('claim-1', 'true'))
        .thenThrows(ArticleConflictError, conflict('article.no-changes', 'in_review'));
    });

    it.each([
      ['another explanation', { explanation: 'A second readout.' }],
      ['another source', { sources: ['https://example.org/other'] }],
      ['one more source', { sources: ['https://example.org/readout', 'https://example.org/other'] }],
    ])('records the same rating with %s', (_, change) => {
      const cmd = recordVerdict('claim-1', 'true');
      given([...inReviewStory, checkedNow('true', 5)])
        .when({ ...cmd, data: { ...cmd.data, ...change } })
        .then([{ ...checkedNow('true', 5), data: { ...checkedNow('true', 5).data, ...change } } as ArticleEvent]);
    });

    it.each(except('retracted'))('accepts a verdict when the article is %s', (status) => {
      given(STORY[status]).when(recordVerdict()).then([checkedNow('true', 5)]);
    });

    it.each([alice, bob, erin])('refuses $name ($roles) with 403', (actor) => {
      given(inReviewStory)
        .when(recordVerdict('claim-1', 'true', actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    it('refuses an unknown claim with 404', () => {
      given(inReviewStory)
        .when(recordVerdict('claim-unknown'))
        .thenThrows(
          ClaimNotFoundError,
          (e) => e.code === 'article.claim-not-found' && e.status === 404 && e.claimId === 'claim-unknown',
        );
    });

    refusedIn(['retracted'], () => recordVerdict());

    it('refuses an unknown rating and a blank explanation with 400', () => {
      const cmd = recordVerdict();
      const bad = { ...cmd, data: { ...cmd.data, rating: 'pants_on_fire' as VerdictRating, explanation: '' } };
      given(inReviewStory).when(bad).thenThrows(ArticleValidationError, invalidFields('rating', 'explanation'));
    });

    it.each([
      ['a blank source', ['https://example.org/readout', ' ']],
      ['a source that is not a string', [42]],
      ['sources that are not a list', 'https://example.org/readout'],
      ['no sources at all', undefined],
    ])('refuses %s with 400 on sources', (_, sources) => {
      const cmd = recordVerdict();
      const bad = { ...cmd, data: { ...cmd.data, sources: sources as string[] } };
      given(inReviewStory).when(bad).thenThrows(ArticleValidationError, invalidFields('sources'));
    });

    // The claim id names the claim (the path of the verdict route): a blank one names none.
    it('refuses a blank claim id with 404, as an unknown claim', () => {
      given(inReviewStory)
        .when(recordVerdict(''))
        .thenThrows(ClaimNotFoundError, (e) => e.code === 'article.claim-not-found' && e.status === 404 && e.claimId === '');
    });
  });

  describe('PublishArticle', () => {
    const publishedNow = (data: Partial<Published['data']> = {}): Published =>
      published({ publishedAt: NOW_ISO, ...data });

    it('publishes an approved article whose claims all hold, with a content snapshot and the slug', () => {
      given(approvedStory).when(publishArticle()).then([publishedNow()]);
    });

    it('publishes a scheduled article at once, not as a scheduled publication', () => {
      given(scheduledStory).when(publishArticle()).then([publishedNow({ scheduled: false })]);
    });

    it('publishes an article without claims', () => {
      given(approvedWithVerdicts()).when(publishArticle()).then([publishedNow()]);
    });

    it.each(['true', 'mostly_true', 'half_true'] as const)('passes the gate with a claim rated %s', (rating) => {
      given(approvedWithVerdicts(rating)).when(publishArticle()).then([publishedNow()]);
    });

    it('passes the gate once a flagged claim is re-rated', () => {
      given([...approvedWithVerdicts('false'), factChecked('claim-1', 'true', 35)])
        .when(publishArticle())
        .then([publishedNow()]);
    });

    it('lists the drafter first, then assigned reporters, without duplicates or other roles', () => {
      given([
        ...approvedStory,
        assigned(frank, 'reporter', 31),
        assigned(alice, 'reporter', 32),
        assigned(frank, 'editor', 33),
        assigned(dave, 'fact_checker', 34),
      ])
        .when(publishArticle())
        .then([publishedNow({ authors: [personOf(alice), personOf(frank)] })]);
    });

    it('publishes the revised content and makes the slug from the headline at that moment', () => {
      given([
        ...approvedStory,
        revisedEvent({ headline: 'Xi and Trump Talk Taiwan' }, bob, at(33)),
      ])
        .when(publishArticle())
        .then([publishedNow({ headline: 'Xi and Trump Talk Taiwan', slug: 'xi-and-trump-talk-taiwan-2c3d4e5f' })]);
    });

    it.each(FLAGGED_RATINGS)('refuses a claim rated %s with 409 article.publish-gate', (rating) => {
      given(approvedWithVerdicts('true', rating))
        .when(publishArticle())
        .thenThrows(
          PublishGateError,
          (e) =>
            conflict('article.publish-gate', 'approved')(e) &&
            e.message.includes('claim-2') &&
            e.problems.length === 1 &&
            e.problems[0]!.problem === 'flagged',
        );
    });

    it('refuses unrated claims with 409 article.publish-gate listing every problem', () => {
      given(approvedWithVerdicts('true', null, 'false', null))
        .when(publishArticle())
        .thenThrows(PublishGateError, (e) => {
          expect(e.problems).toEqual<PublishGateProblem[]>([
            { claimId: 'claim-2', text: claims[1]!.text, problem: 'unrated' },
            { claimId: 'claim-3', text: claims[2]!.text, problem: 'flagged', rating: 'false' },
            { claimId: 'claim-4', text: claims[3]!.text, problem: 'unrated' },
          ]);
          expect(e.message).toBe(
            'The fact-check gate refuses publishing; ' +
              'unrated claims: claim-2, claim-4; flagged claims: claim-3 (false).',
          );
          return true;
        });
    });

    it('publishes past the gate with an override reason, which the event records', () => {
      given(approvedWithVerdicts('unverifiable', null))
        .when(publishArticle('Public interest: the call is confirmed by both governments.'))
        .then([publishedNow({ overrideReason: 'Public interest: the call is confirmed by both governments.' })]);
    });

    it('treats a blank override reason as none', () => {
      given(approvedWithVerdicts('false'))
        .when(publishArticle('  '))
        .thenThrows(ArticleConflictError, conflict('article.publish-gate'));
    });

    it.each([alice, carol, erin])('refuses $name ($roles) with 403', (actor) => {
      given(approvedStory)
        .when(publishArticle(undefined, actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    refusedIn(except('approved', 'scheduled'), () => publishArticle());
  });

  describe('SchedulePublish', () => {
    const TOMORROW = new Date('2025-12-03T06:00:00.000Z');
    const scheduledNow = (publishAt = TOMORROW): ArticleEvent => ({
      type: 'PublishScheduled',
      data: { articleId: ID, publishAt: publishAt.toISOString(), scheduledBy: personOf(bob), scheduledAt: NOW_ISO },
    });

    it('schedules an approved article', () => {
      given(approvedStory).when(schedulePublish(TOMORROW)).then([scheduledNow()]);
    });

    it('reschedules a scheduled article', () => {
      const later = new Date('2025-12-04T06:00:00.000Z');
      given(scheduledStory).when(schedulePublish(later)).then([scheduledNow(later)]);
    });

    it('refuses to schedule a scheduled story again for the time it has, with 409', () => {
      given([...approvedStory, publishScheduled(TOMORROW.toISOString())])
        .when(schedulePublish(TOMORROW))
        .thenThrows(ArticleConflictError, conflict('article.already-scheduled', 'scheduled'));
    });

    it.each([
      ['in the past', new Date('2025-12-01T00:00:00.000Z')],
      ['now', NOW],
      ['not a date', new Date('nonsense')],
    ])('refuses a publishAt %s with 400 on publishAt', (_, publishAt) => {
      given(approvedStory)
        .when(schedulePublish(publishAt))
        .thenThrows(ArticleValidationError, invalidFields('publishAt'));
    });

    it('checks the gate when scheduling', () => {
      given(approvedWithVerdicts('true', 'mostly_false'))
        .when(schedulePublish())
        .thenThrows(ArticleConflictError, conflict('article.publish-gate', 'approved'));
    });

    it('moves a scheduled story whose gate has closed since (a claim added after scheduling): it fires only once the gate opens', () => {
      const later = new Date('2025-12-04T06:00:00.000Z');
      given([...scheduledStory, claimAdded({ id: 'c-late', text: 'A claim added after scheduling.', quote: null }, 40)])
        .when(schedulePublish(later))
        .then([scheduledNow(later)]);
    });

    it.each([alice, carol, erin])('refuses $name ($roles) with 403', (actor) => {
      given(approvedStory)
        .when(schedulePublish(TOMORROW, actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    refusedIn(except('approved', 'scheduled'), () => schedulePublish());
  });

  describe('PublishScheduledArticle', () => {
    it('publishes when due, in the name of the editor who scheduled it; the scheduler needs no role', () => {
      given(scheduledStory)
        .when(publishScheduledArticle())
        .then([published({ publishedAt: NOW_ISO, scheduled: true })]);
    });

    it('publishes exactly at publishAt', () => {
      given(scheduledStory)
        .when(publishScheduledArticle(new Date(DUE_AT)))
        .then([published({ publishedAt: DUE_AT, scheduled: true })]);
    });

    it('refuses before publishAt with 409 article.not-due', () => {
      given(scheduledStory)
        .when(publishScheduledArticle(new Date('2025-12-02T08:59:59.999Z')))
        .thenThrows(ArticleConflictError, conflict('article.not-due', 'scheduled'));
    });

    it('checks the gate again: a claim added after scheduling is unrated', () => {
      given([...scheduledStory, claimAdded({ id: 'claim-late', text: 'Late claim.', quote: null }, 45)])
        .when(publishScheduledArticle())
        .thenThrows(PublishGateError, (e) => e.problems.map((p) => p.claimId).join() === 'claim-late');
    });

    refusedIn(except('scheduled'), () => publishScheduledArticle());
  });

  describe('IssueCorrection', () => {
    it.each(['correction', 'clarification'] as const)('issues a %s on a published article', (kind) => {
      given(publishedStory)
        .when(issueCorrection(bob, { kind }))
        .then([
          {
            type: 'CorrectionIssued',
            data: {
              articleId: ID,
              correctionId: 'corr-1',
              kind,
              text: 'The call lasted one hour.',
              issuedBy: personOf(bob),
              issuedAt: NOW_ISO,
            },
          },
        ]);
    });

    it.each([alice, carol, erin])('refuses $name ($roles) with 403', (actor) => {
      given(publishedStory)
        .when(issueCorrection(actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    refusedIn(except('published'), () => issueCorrection());

    it('refuses a correction id that is already used with 409', () => {
      given([...publishedStory, ...decide(issueCorrection(), foldArticle(publishedStory))])
        .when(issueCorrection())
        .thenThrows(ArticleConflictError, conflict('article.duplicate-id', 'published'));
    });

    it('refuses a blank text with 400', () => {
      given(publishedStory)
        .when(issueCorrection(bob, { text: '' }))
        .thenThrows(ArticleValidationError, invalidFields('text'));
    });

    it.each([
      ['a blank correction id', { correctionId: ' ' }, ['correctionId']],
      ['a kind that is not correction or clarification', { kind: 'erratum' as CorrectionKind }, ['kind']],
      ['no kind at all', { kind: undefined }, ['kind']],
      ['every field invalid', { correctionId: '', kind: 'erratum' as CorrectionKind, text: '' }, ['correctionId', 'kind', 'text']],
    ])('refuses %s with 400 naming each field', (_, input, fields) => {
      given(publishedStory)
        .when(issueCorrection(bob, input))
        .thenThrows(ArticleValidationError, invalidFields(...fields));
    });
  });

  describe('RetractArticle', () => {
    it('retracts a published article', () => {
      given(publishedStory)
        .when(retractArticle())
        .then([
          {
            type: 'ArticleRetracted',
            data: {
              articleId: ID,
              reason: 'The central claim did not hold up.',
              retractedBy: personOf(bob),
              retractedAt: NOW_ISO,
            },
          },
        ]);
    });

    it.each([alice, carol, erin])('refuses $name ($roles) with 403', (actor) => {
      given(publishedStory)
        .when(retractArticle(actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    refusedIn(except('published'), () => retractArticle());

    it('refuses a blank reason with 400', () => {
      given(publishedStory).when(retractArticle(bob, '')).thenThrows(ArticleValidationError, invalidFields('reason'));
    });

    describe('is final: every command but a note is refused afterwards', () => {
      const afterRetraction: ArticleCommand[] = [
        reviseArticle({ body: 'B' }, bob),
        submitArticle(),
        requestChanges(),
        approveArticle(),
        addClaim(bob),
        recordVerdict(),
        publishArticle('override'),
        publishScheduledArticle(),
        schedulePublish(),
        issueCorrection(),
        retractArticle(),
        assignArticle(),
      ];
      it.each(afterRetraction.map((c) => [c.type, c] as const))('%s is refused with 409', (_, cmd) => {
        given(retractedStory)
          .when(cmd)
          .thenThrows(ArticleConflictError, conflict('article.invalid-transition', 'retracted'));
      });

      it('DraftArticle is refused with 409', () => {
        given(retractedStory)
          .when(draftArticle())
          .thenThrows(ArticleConflictError, conflict('article.already-exists', 'retracted'));
      });
    });
  });

  describe('AddEditorialNote', () => {
    const noteAdded = (by: Actor): ArticleEvent => ({
      type: 'EditorialNoteAdded',
      data: {
        articleId: ID,
        noteId: 'note-1',
        text: 'Check the Leavitt quote.',
        author: personOf(by),
        addedAt: NOW_ISO,
      },
    });

    it.each([alice, dave, bob, carol, erin])('lets $name ($roles) add a note', (actor) => {
      given(draftStory).when(addEditorialNote(actor)).then([noteAdded(actor)]);
    });

    it.each(ALL_STATUSES)('accepts a note when the article is %s', (status) => {
      given(STORY[status]).when(addEditorialNote()).then([noteAdded(alice)]);
    });

    it('refuses an actor without a staff role with 403', () => {
      given(draftStory)
        .when(addEditorialNote(SCHEDULER_ACTOR))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    it('refuses a note id that is already used with 409', () => {
      given([...draftStory, ...decide(addEditorialNote(), foldArticle(draftStory))])
        .when(addEditorialNote(bob))
        .thenThrows(ArticleConflictError, conflict('article.duplicate-id', 'draft'));
    });

    it('refuses a blank text with 400', () => {
      given(draftStory)
        .when(addEditorialNote(alice, { text: ' ' }))
        .thenThrows(ArticleValidationError, invalidFields('text'));
    });

    it.each([
      ['a blank note id', { noteId: '' }, ['noteId']],
      ['a blank note id and text', { noteId: ' ', text: '' }, ['noteId', 'text']],
    ])('refuses %s with 400 naming each field', (_, input, fields) => {
      given(draftStory).when(addEditorialNote(alice, input)).thenThrows(ArticleValidationError, invalidFields(...fields));
    });
  });

  describe('AssignArticle', () => {
    const assignedNow = (who: Actor, as: AssignmentRole): ArticleEvent => ({
      type: 'ArticleAssigned',
      data: { articleId: ID, assignee: personOf(who), as, assignedBy: personOf(bob), assignedAt: NOW_ISO },
    });

    it.each(['reporter', 'editor', 'fact_checker'] as const)('assigns someone as %s', (as) => {
      given(draftStory).when(assignArticle(frank, as)).then([assignedNow(frank, as)]);
    });

    it('assigns the same person in another role', () => {
      given([...draftStory, assigned(frank, 'reporter')])
        .when(assignArticle(frank, 'fact_checker'))
        .then([assignedNow(frank, 'fact_checker')]);
    });

    it.each(except('retracted'))('accepts an assignment when the article is %s', (status) => {
      given(STORY[status]).when(assignArticle()).then([assignedNow(frank, 'reporter')]);
    });

    // The HTTP layer names someone assigned without a name by their id.
    const byIdAlone = (who: Actor) => command('AssignArticle', { assignee: { id: who.sub, name: who.sub }, as: 'reporter' as const }, bob);

    it('names someone assigned by id alone as the article\'s events last showed them', () => {
      const daveNoted: ArticleEvent = {
        type: 'EditorialNoteAdded',
        data: { articleId: ID, noteId: 'note-dave', text: 'I can take this.', author: personOf(dave), addedAt: at(6) },
      };
      given([...draftStory, daveNoted]).when(byIdAlone(dave)).then([assignedNow(dave, 'reporter')]);
    });

    it('names someone assigned by id alone by their id while the article\'s events show no name for them', () => {
      given(draftStory)
        .when(byIdAlone(dave))
        .then([
          {
            type: 'ArticleAssigned',
            data: { articleId: ID, assignee: { id: 'u-dave', name: 'u-dave' }, as: 'reporter', assignedBy: personOf(bob), assignedAt: NOW_ISO },
          },
        ]);
    });

    it('refuses the same person in the same role twice with 409 article.already-assigned', () => {
      given([...draftStory, assigned(frank, 'reporter')])
        .when(assignArticle(frank, 'reporter'))
        .thenThrows(ArticleConflictError, conflict('article.already-assigned', 'draft'));
    });

    it.each([alice, carol, erin])('refuses $name ($roles) with 403', (actor) => {
      given(draftStory)
        .when(assignArticle(frank, 'reporter', actor))
        .thenThrows(ArticleForbiddenError, forbidden('article.role-not-allowed'));
    });

    refusedIn(['retracted'], () => assignArticle());

    const assignment = (input: unknown) => command('AssignArticle', input as CommandInput<'AssignArticle'>, bob);

    it.each([
      ['a blank assignee id', { assignee: { id: ' ', name: 'Frank Ito' }, as: 'reporter' }, ['assignee.id']],
      ['a blank assignee name', { assignee: { id: 'u-frank', name: '' }, as: 'reporter' }, ['assignee.name']],
      ['no assignee at all', { as: 'reporter' }, ['assignee.id', 'assignee.name']],
      // admin is a staff role, not a role on an article.
      ['the role admin', { assignee: personOf(frank), as: 'admin' }, ['as']],
      ['a role that does not exist', { assignee: personOf(frank), as: 'columnist' }, ['as']],
      ['no role', { assignee: personOf(frank) }, ['as']],
      ['every field invalid', { assignee: { id: '', name: ' ' }, as: 'chief' }, ['assignee.id', 'assignee.name', 'as']],
    ])('refuses an assignment with %s with 400 naming each field', (_, input, fields) => {
      given(draftStory).when(assignment(input)).thenThrows(ArticleValidationError, invalidFields(...fields));
    });
  });

  describe('refusal order', () => {
    it('checks the role before the status', () => {
      given(draftStory).when(approveArticle(alice)).thenThrows(ArticleForbiddenError);
    });

    it('checks the status before the input', () => {
      given(draftStory)
        .when(requestChanges(bob, ''))
        .thenThrows(ArticleConflictError, conflict('article.invalid-transition'));
    });
  });
});

// ---------------------------------------------------------------------------------------------
// evolve
// ---------------------------------------------------------------------------------------------

describe('article evolve', () => {
  /** Runs commands through decide and evolve, as the command handlers will. */
  const run = (commands: ArticleCommand[]): { events: ArticleEvent[]; state: Article } => {
    const events: ArticleEvent[] = [];
    let state = initialState();
    for (const cmd of commands) {
      const emitted = decide(cmd, state);
      events.push(...emitted);
      state = emitted.reduce(evolve, state);
    }
    if (state === null) throw new Error('no article');
    return { events, state };
  };
  const t = (minute: number): Date => new Date(Date.UTC(2025, 11, 1, 9, minute));
  const as = <C extends ArticleCommand>(cmd: C, now: Date): C => ({ ...cmd, data: { ...cmd.data, now } });

  const seedWorkflow: ArticleCommand[] = [
    as(draftArticle(), t(0)),
    as(assignArticle(frank, 'reporter'), t(1)),
    ...claims.map((claim, i) =>
      as(addClaim(alice, { claimId: claim.id, text: claim.text, quote: claim.quote }), t(2 + i)),
    ),
    as(submitArticle(), t(10)),
    as(requestChanges(), t(11)),
    as(reviseArticle({ standfirst: 'A rare direct call ahead of a state visit.' }, frank), t(12)),
    as(submitArticle(frank), t(13)),
    ...claims.map((claim, i) => as(recordVerdict(claim.id, i === 4 ? 'mostly_true' : 'true'), t(20 + i))),
    as(approveArticle(), t(30)),
    as(schedulePublish(t(45)), t(31)),
    publishScheduledArticle(t(45)),
    as(reviseArticle({ headline: 'Xi Presses Trump on Taiwan' }, bob), t(50)),
    as(issueCorrection(), t(51)),
    as(addEditorialNote(carol), t(52)),
  ];

  it('folds the seed story from draft to published', () => {
    const { events, state } = run(seedWorkflow);

    expect(events.map((e) => e.type)).toEqual([
      'ArticleDrafted',
      'ArticleAssigned',
      ...claims.map(() => 'ClaimAdded'),
      'ArticleSubmitted',
      'ChangesRequested',
      'ArticleRevised',
      'ArticleSubmitted',
      ...claims.map(() => 'FactChecked'),
      'ArticleApproved',
      'PublishScheduled',
      'Published',
      'ArticleRevised',
      'CorrectionIssued',
      'EditorialNoteAdded',
    ]);
    expect(state).toEqual<Article>({
      id: ID,
      status: 'published',
      content: {
        headline: 'Xi Presses Trump on Taiwan',
        standfirst: 'A rare direct call ahead of a state visit.',
        body: seed.body,
        section: 'world',
        tags: seed.tags,
      },
      author: personOf(alice),
      authors: [personOf(alice), personOf(frank)],
      assignees: [{ ...personOf(frank), as: 'reporter', assignedBy: personOf(bob), assignedAt: t(1).toISOString() }],
      claims: claims.map((claim, i) => ({
        id: claim.id,
        text: claim.text,
        quote: claim.quote,
        addedBy: personOf(alice),
        addedAt: t(2 + i).toISOString(),
        verdict: {
          rating: i === 4 ? 'mostly_true' : 'true',
          ratingValue: i === 4 ? 4 : 5,
          explanation: 'White House readout.',
          sources: ['https://example.org/readout'],
          checkedBy: personOf(carol),
          checkedAt: t(20 + i).toISOString(),
        },
      })),
      lastChangeRequest: {
        reason: 'Attribute the Taiwan remark.',
        requestedBy: personOf(bob),
        requestedAt: t(11).toISOString(),
      },
      // The schedule is done once the story is out.
      publishAt: null,
      scheduledBy: personOf(bob),
      publishedAt: t(45).toISOString(),
      publishedBy: personOf(bob),
      // Made from the headline at publishing time; the later revision does not move it.
      slug: SLUG,
      overrideReason: null,
      corrections: [
        {
          id: 'corr-1',
          kind: 'correction',
          text: 'The call lasted one hour.',
          issuedBy: personOf(bob),
          issuedAt: t(51).toISOString(),
        },
      ],
      retraction: null,
      notes: [
        { id: 'note-1', text: 'Check the Leavitt quote.', author: personOf(carol), addedAt: t(52).toISOString() },
      ],
      knownNames: { 'u-alice': 'Alice Chen', 'u-frank': 'Frank Ito', 'u-bob': 'Bob Okafor', 'u-carol': 'Carol Diaz' },
      createdAt: t(0).toISOString(),
      updatedAt: t(52).toISOString(),
    });
  });

  it('records the scheduled publication as such, with both authors, in the Published event', () => {
    const { events } = run(seedWorkflow);
    const publishedEvent = events.find((e): e is Published => e.type === 'Published')!;
    expect(publishedEvent.data).toMatchObject({
      scheduled: true,
      authors: [personOf(alice), personOf(frank)],
      standfirst: 'A rare direct call ahead of a state visit.',
      slug: SLUG,
    });
  });

  it('publishes the name a reporter assigned by id alone acted under, not the id', () => {
    const byId = { assignee: { id: frank.sub, name: frank.sub }, as: 'reporter' as const };
    const { events } = run([
      as(draftArticle(), t(0)),
      as(command('AssignArticle', byId, bob), t(1)),
      as(reviseArticle({ body: 'Frank adds the readout.' }, frank), t(2)),
      as(submitArticle(), t(3)),
      as(approveArticle(), t(4)),
      as(publishArticle(), t(5)),
    ]);
    const publishedEvent = events.find((e): e is Published => e.type === 'Published')!;
    expect(publishedEvent.data.authors).toEqual([personOf(alice), personOf(frank)]);
  });

  it('records the name of a publisher who is an author known by id alone in the Published event', () => {
    const editorAndReporter: Actor = { sub: 'u-dana', name: 'Dana Kim', roles: ['editor'] };
    const { events, state } = run([
      as(draftArticle(), t(0)),
      as(command('AssignArticle', { assignee: { id: 'u-dana', name: 'u-dana' }, as: 'reporter' }, bob), t(1)),
      as(submitArticle(), t(2)),
      as(approveArticle(), t(3)),
      as(publishArticle(undefined, editorAndReporter), t(4)),
    ]);
    const publishedEvent = events.find((e): e is Published => e.type === 'Published')!;
    expect(publishedEvent.data.authors).toEqual([personOf(alice), { id: 'u-dana', name: 'Dana Kim' }]);
    expect(state.authors).toEqual(publishedEvent.data.authors);
  });

  it('ends retracted with the retraction notice', () => {
    const state = foldArticle(retractedStory);
    expect(state).toMatchObject({
      status: 'retracted',
      retraction: { reason: 'Sourcing failed.', retractedBy: personOf(bob), retractedAt: at(59) },
      updatedAt: at(59),
      slug: SLUG,
    });
  });

  it('walks each status of the workflow', () => {
    for (const status of ALL_STATUSES) expect(foldArticle(STORY[status])?.status).toBe(status);
  });

  it('refuses to fold an event type it does not know (one a newer version wrote), naming it', () => {
    const newer = { type: 'ArticleFrobnicated', data: { articleId: ID } } as unknown as ArticleEvent;
    expect(() => foldArticle([...draftStory, newer])).toThrow(/ArticleFrobnicated, which this version of the service does not know/);
  });

  it('starts from null and knows nothing before ArticleDrafted', () => {
    expect(initialState()).toBeNull();
    expect(foldArticle([])).toBeNull();
    expect(() => evolve(null, submitted())).toThrow(/starts with ArticleSubmitted/);
  });

  it('does not change the state it is given', () => {
    const before = foldArticle(approvedStory);
    const snapshot = structuredClone(before);
    evolve(before, factChecked('claim-1', 'false', 40));
    evolve(before, published());
    expect(before).toEqual(snapshot);
  });
});

describe('publishGate', () => {
  it('is empty when every claim holds', () => {
    expect(publishGate(foldArticle(approvedStory)!)).toEqual([]);
  });

  it('lists unrated and flagged claims in claim order', () => {
    const article = foldArticle(approvedWithVerdicts(null, 'true', 'unverifiable', 'half_true', 'mostly_false'))!;
    expect(publishGate(article)).toEqual<PublishGateProblem[]>([
      { claimId: 'claim-1', text: claims[0]!.text, problem: 'unrated' },
      { claimId: 'claim-3', text: claims[2]!.text, problem: 'flagged', rating: 'unverifiable' },
      { claimId: 'claim-5', text: claims[4]!.text, problem: 'flagged', rating: 'mostly_false' },
    ]);
  });

  it('flags exactly the contract ratings', () => {
    const stopsTheGate = (rating: VerdictRating) => publishGate(foldArticle(approvedWithVerdicts(rating))!).length > 0;
    const flagged = VERDICT_RATINGS.filter(stopsTheGate);
    expect(flagged).toEqual(['mostly_false', 'false', 'unverifiable']);
  });
});
