/** The stream is not at the version the writer expected: someone else wrote first. */
export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} is not at version ${expectedVersion}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/**
 * The events broke a unique rule of the schema other than (stream, version): an index a feature
 * added to the events table (such as one slug per published story). Nothing was written.
 */
export class UniqueEventConstraintError extends Error {
  constructor(
    readonly streamId: string,
    readonly constraint: string,
  ) {
    super(`stream ${streamId}: the events break the unique rule ${constraint}`);
    this.name = 'UniqueEventConstraintError';
  }
}
