import { toOpenApi31 } from './openapi-3-1.js';

const PERSON = { $ref: '#/components/schemas/PersonSchema' };

describe('toOpenApi31', () => {
  it('says 3.1.0 and leaves schemas without nullable as they are', () => {
    const document = { openapi: '3.0.0', components: { schemas: { PersonSchema: { type: 'object', properties: { name: { type: 'string' } } } } } };
    expect(toOpenApi31(document)).toEqual({ ...document, openapi: '3.1.0' });
  });

  it('makes a nullable reference "the schema, or null" (the allOf @nestjs/swagger writes refuses null)', () => {
    const property = { nullable: true, type: 'object', description: 'Who published it', allOf: [PERSON] };
    expect(toOpenApi31({ properties: { publishedBy: property } })).toMatchObject({
      properties: { publishedBy: { description: 'Who published it', anyOf: [PERSON, { type: 'null' }] } },
    });
  });

  it('adds null to the type, and to the values of an enum', () => {
    const converted = toOpenApi31({
      properties: {
        quote: { type: 'string', nullable: true },
        rating: { type: 'integer', minimum: 1, nullable: true },
        kind: { type: 'string', enum: ['like', 'love'], nullable: true },
        already: { type: 'string', enum: ['like', null], nullable: true },
        changes: { type: 'array', items: PERSON, nullable: true },
      },
    });
    expect(converted).toMatchObject({
      properties: {
        quote: { type: ['string', 'null'] },
        rating: { type: ['integer', 'null'], minimum: 1 },
        kind: { type: ['string', 'null'], enum: ['like', 'love', null] },
        already: { type: ['string', 'null'], enum: ['like', null] },
        changes: { type: ['array', 'null'], items: PERSON },
      },
    });
    expect(JSON.stringify(converted)).not.toContain('nullable');
  });

  it('wraps any other nullable schema in "or null", and leaves examples alone', () => {
    const oneOf = { oneOf: [PERSON, { type: 'string' }], nullable: true };
    const example = { nullable: false, example: { nullable: true } };
    expect(toOpenApi31({ a: oneOf, b: example })).toEqual({ a: { anyOf: [{ oneOf: oneOf.oneOf }, { type: 'null' }] }, b: { example: { nullable: true } }, openapi: '3.1.0' });
  });
});
