import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const SEED_FILE = join('seed', 'xi-trump-call.json');

/** The seed story shipped in the project's `seed/` folder (found from here up, from src/ or dist/). */
export function loadSeedStory(): SeedStory {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, SEED_FILE);
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8'));
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`${SEED_FILE} not found above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
}
