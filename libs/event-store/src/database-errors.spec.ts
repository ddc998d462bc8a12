import { errorChain, isDatabaseUnavailable, isDataException, isTransientDatabaseError } from './database-errors.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['a server shutting down (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['a server starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['no connection slot left (53300)', withCode('53300', 'sorry, too many clients already')],
    ['a connection exception (08006)', withCode('08006')],
    ['a connection the server dropped', new Error('Connection terminated unexpectedly')],
    ['no pooled connection in time', new Error('timeout exceeded when trying to connect')],
    ['a TypeORM error wrapping the driver error', Object.assign(new Error('Query failed'), { driverError: withCode('57P01') })],
    ['an error caused by one', new Error('append failed', { cause: withCode('ECONNREFUSED') })],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601')],
    ['a serialization failure', withCode('40001')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('isTransientDatabaseError and isDataException', () => {
  it('find the SQLSTATE through TypeORM and causes', () => {
    const wrapped = (code: string) => new Error('projection failed', { cause: Object.assign(new Error('Query failed'), { driverError: withCode(code) }) });
    expect([isTransientDatabaseError(wrapped('40001')), isTransientDatabaseError(wrapped('55P03')), isTransientDatabaseError(wrapped('23505'))]).toEqual([true, true, false]);
    expect([isDataException(wrapped('22P02')), isDataException(wrapped('22003')), isDataException(wrapped('42601'))]).toEqual([true, true, false]);
  });

  it('count a lost connection as transient, whatever the driver calls it', () => {
    const lost = [withCode('ECONNRESET'), new Error('Connection terminated unexpectedly'), withCode('57P01'), withCode('08006')];
    expect(lost.map(isTransientDatabaseError)).toEqual([true, true, true, true]);
  });

  it('end on an error that causes itself', () => {
    const loop = new Error('loop') as Error & { cause?: unknown };
    loop.cause = loop;
    expect([...errorChain(loop)]).toHaveLength(1);
    expect(isTransientDatabaseError(loop)).toBe(false);
  });
});
