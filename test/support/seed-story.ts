import { readFileSync } from 'node:fs';

export interface SeedStory {
  headline: string;
  dateline: string;
  section: string;
  tags: string[];
  body: string;
  claims: { text: string; quote: string }[];
  reactionKinds: string[];
  reactionPrompt: string;
}

/** The seed story (a real news page) that is the demo content and the first fixture. */
export const seedStory: SeedStory = JSON.parse(readFileSync(new URL('../../seed/xi-trump-call.json', import.meta.url), 'utf8'));
