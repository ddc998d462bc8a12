/* What other features use of the reactions feature: the counts read model, which the public side joins. */
export { reactionCountsProjection } from './projections/reaction-counts.projection.js';
export { ReactionCountsEntity } from './reaction-counts.entity.js';
