import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { createTestDatabase, type TestDatabase } from '#libs/testing';
import { AppModule } from '../app.module.js';
import { AddClaimCommand, DraftArticleCommand } from '../articles/index.js';
import { loadConfig } from '../config/app-config.js';
import { loadSeedStory } from './seed-story.js';

const story = loadSeedStory();

/** The demo on a first start, and on the start after a first start killed half-way (PostgreSQL). */
describe('DemoSeed (PostgreSQL)', () => {
  let database: TestDatabase;
  let app: INestApplicationContext | undefined;

  const open = async (demo: boolean) => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
    app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, workers: false, demo }), { logger: false });
    return app;
  };
  const events = async () =>
    (await app!.get(DataSource).query(`SELECT stream_id, type FROM events ORDER BY position`)) as { stream_id: string; type: string }[];

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await database.drop();
  });

  it('finishes a demo that a killed first start left half-made: the same story, each claim once, published', async () => {
    // What a first start wrote before it was killed: the draft and three of its claims.
    const context = { articleId: uuidv7(), actor: { sub: 'demo-reporter', name: 'Mei Lin', roles: ['reporter' as const] }, correlationId: 'demo-seed' };
    const bus = (await open(false)).get(CommandBus);
    await bus.execute(new DraftArticleCommand(context, { headline: story.headline, body: story.body, section: story.section, tags: story.tags }));
    for (const claim of story.claims.slice(0, 3)) await bus.execute(new AddClaimCommand(context, claim));
    await app!.close();

    await open(true);
    const written = await events();
    expect(new Set(written.map((event) => event.stream_id))).toEqual(new Set([`article-${context.articleId}`]));
    const count = (type: string) => written.filter((event) => event.type === type).length;
    expect([count('ArticleDrafted'), count('ClaimAdded'), count('FactChecked'), count('Published')]).toEqual([1, story.claims.length, story.claims.length, 1]);
  });

  it('leaves a store alone that holds anything but the demo', async () => {
    const bus = (await open(false)).get(CommandBus);
    const staff = { articleId: uuidv7(), actor: { sub: 'alice', name: 'Alice Chen', roles: ['reporter' as const] } };
    await bus.execute(new DraftArticleCommand(staff, { headline: 'A real story', body: 'Real.', section: 'local' }));
    await app!.close();

    await open(true);
    expect((await events()).map((event) => event.type)).toEqual(['ArticleDrafted']);
  });

  it('loads the whole demo into an empty store', async () => {
    await open(true);
    expect((await events()).filter((event) => event.type === 'Published')).toHaveLength(1);
  });
});
