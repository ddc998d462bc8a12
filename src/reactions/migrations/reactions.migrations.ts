import { CreateReactionCounts1764231500000 } from './1764231500000-create-reaction-counts.js';

export const REACTION_MIGRATIONS = [CreateReactionCounts1764231500000];
