import { PageRequest } from '#libs/read-models';

/** `GET /feed` query string: `limit` and `cursor` only. */
export class GetFeedRequest extends PageRequest {}
