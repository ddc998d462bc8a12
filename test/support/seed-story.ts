import { loadSeedStory } from '../../src/demo/seed-story.js';

export type { SeedStory } from '../../src/demo/seed-story.js';

/** The seed story (a real news page) that is the demo content and the first fixture. */
export const seedStory = loadSeedStory();
