/** Unit and integration tests run as ESM through ts-jest (NestJS 12 is ESM-only). */
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^#libs/(.*)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // PostgreSQL and a real Kafka broker for the whole run (env DATABASE_URL / KAFKA_BROKERS win).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Integration specs wait on a real broker and database; 5 s is too tight on 2 cores.
  testTimeout: 60_000,
  // A worker holding a few hundred MB takes longer than jest's default 500 ms to exit on a busy
  // 2-core box, and jest then reports a leak that is not there.
  workerGracefulExitTimeout: 5_000,
};
