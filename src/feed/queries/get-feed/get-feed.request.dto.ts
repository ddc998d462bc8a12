import { IgnoresUnknownQueryParameters } from '#libs/http';
import { PageRequest } from '#libs/read-models';

/** `GET /feed` query string: `limit` and `cursor`; other parameters (utm_*, `_=`) are ignored, as on every public URL. */
@IgnoresUnknownQueryParameters()
export class GetFeedRequest extends PageRequest {}
