import { decodeJsonBody, prototypeKeyProblem } from './json-body.js';
import { ProblemError, ValidationProblem } from './problem-details.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('decodeJsonBody', () => {
  it('decodes UTF-8, with or without a charset, in any spelling; US-ASCII is UTF-8 too', () => {
    for (const contentType of [undefined, 'application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8', 'application/json; charset=US-ASCII']) {
      expect({ contentType, text: decodeJsonBody(contentType, utf8('{"text":"Zürich"}')) }).toEqual({ contentType, text: '{"text":"Zürich"}' });
    }
  });

  it('refuses bytes that are not UTF-8 with a 400, rather than store U+FFFD', () => {
    const latin1 = Buffer.from('{"text":"caf\xe9"}', 'latin1');
    expect(() => decodeJsonBody('application/json', latin1)).toThrow(expect.objectContaining({ status: 400, code: 'malformed-json' }));
  });

  it('refuses another declared charset with a 415', () => {
    for (const charset of ['iso-8859-1', 'utf-16', 'windows-1252']) {
      let thrown: unknown;
      try {
        decodeJsonBody(`application/json; charset=${charset}`, utf8('{}'));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProblemError);
      expect({ charset, status: (thrown as ProblemError).status }).toEqual({ charset, status: 415 });
    }
  });
});

describe('prototypeKeyProblem', () => {
  it('names a __proto__ key, or a constructor holding prototype, as unknown fields', () => {
    const problem = prototypeKeyProblem('{"text":"x","__proto__":{"admin":true},"constructor":{"prototype":{}}}');
    expect(problem).toBeInstanceOf(ValidationProblem);
    expect(problem!.errors).toEqual([
      { field: '__proto__', message: 'property __proto__ should not exist' },
      { field: 'constructor', message: 'property constructor should not exist' },
    ]);
  });

  it('leaves malformed JSON to the parser that found it', () => {
    expect(prototypeKeyProblem('{"__proto__":')).toBeUndefined();
  });
});
