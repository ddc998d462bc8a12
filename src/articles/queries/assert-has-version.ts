import { ProblemError } from '#libs/http';

/** A read of an article at a version it has not reached (`?version=`, a diff's bound): 404. */
export function assertHasVersion(articleId: string, currentVersion: number, wanted: number): void {
  if (currentVersion < wanted) {
    throw new ProblemError(404, 'version-not-found', 'Not found', `Article ${articleId} has no version ${wanted}; it is at version ${currentVersion}.`);
  }
}
