/* What other features use of the reactions feature: the counts read model, which the public side joins. */
export { reactionCountsProjection } from './reaction-counts.projection.js';
export { ReactionCountsEntity } from './reaction-counts.entity.js';
