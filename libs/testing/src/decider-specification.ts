import assert from 'node:assert/strict';

/**
 * Given/when/then for a pure decider, after emmett's `DeciderSpecification`:
 *
 *   const given = DeciderSpecification.for(articleDecider);
 *   given([drafted]).when(submit).then([submitted]);
 *   given([]).when(submit).thenThrows(ArticleNotFoundError);
 *
 * Uses node:assert so the helper does not depend on the test runner's globals.
 */
export interface Decider<Command, Event, State> {
  decide: (command: Command, state: State) => Event | Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;
type ErrorCheck<E extends Error> = (error: E) => boolean;

export interface DeciderThen<Event> {
  /** The command emits exactly these events, in this order. */
  then: (expectedEvents: Event | Event[]) => void;
  /** The command is accepted and emits nothing. */
  thenNothingHappened: () => void;
  /** The command is refused with an error of this class (and matching the check, when given). */
  thenThrows: {
    <E extends Error>(errorClass: ErrorClass<E>, check?: ErrorCheck<E>): void;
    (check: ErrorCheck<Error>): void;
  };
}

export type DeciderSpecification<Command, Event> = (givenEvents: Event | Event[]) => {
  when: (command: Command) => DeciderThen<Event>;
};

export const DeciderSpecification = {
  for<Command, Event, State>(decider: Decider<Command, Event, State>): DeciderSpecification<Command, Event> {
    return (givenEvents) => ({
      when: (command) => {
        const run = (): Event[] => {
          const state = toArray(givenEvents).reduce(decider.evolve, decider.initialState());
          return toArray(decider.decide(command, state));
        };

        return {
          then: (expectedEvents) => {
            assert.deepStrictEqual(run(), toArray(expectedEvents));
          },
          thenNothingHappened: () => {
            assert.deepStrictEqual(run(), []);
          },
          thenThrows: (classOrCheck: ErrorClass<Error> | ErrorCheck<Error>, check?: ErrorCheck<Error>) => {
            const errorClass = isErrorClass(classOrCheck) ? classOrCheck : undefined;
            const errorCheck = isErrorClass(classOrCheck) ? check : classOrCheck;
            let events: Event[];
            try {
              events = run();
            } catch (error) {
              if (errorClass !== undefined && !(error instanceof errorClass)) {
                assert.fail(`Expected ${errorClass.name} but ${describe(error)} was thrown.`);
              }
              if (!(error instanceof Error)) assert.fail(`Expected an Error but ${describe(error)} was thrown.`);
              if (errorCheck !== undefined && !errorCheck(error)) {
                assert.fail(`The thrown ${describe(error)} does not match the expected check.`);
              }
              return;
            }
            assert.fail(
              `Expected ${errorClass?.name ?? 'an error'} but the command was accepted with ${JSON.stringify(events)}.`,
            );
          },
        };
      },
    });
  },
};

const toArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const isErrorClass = (value: unknown): value is ErrorClass<Error> =>
  typeof value === 'function' && (value === Error || value.prototype instanceof Error);

const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return JSON.stringify(error);
  const name = error.name === 'Error' ? error.constructor.name : error.name;
  const code = 'code' in error ? ` [${String(error.code)}]` : '';
  return `${name}${code}: ${error.message}`;
};
