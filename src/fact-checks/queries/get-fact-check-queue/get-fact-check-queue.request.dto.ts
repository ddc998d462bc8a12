import { PageRequest } from '#libs/read-models';

/** `GET /fact-checks/queue` query string: `limit` and `cursor` only. */
export class GetFactCheckQueueRequest extends PageRequest {}
