import { ConfigError, INSECURE_DEV_SECRET, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('runs embedded with defaults on a bare environment', () => {
    const config = loadConfig({});
    expect(config.embedded).toBe(true);
    expect(config.kafka).toBeUndefined();
    expect(config.http.port).toBe(3000);
    expect(config.http.bodyLimitBytes).toBe(1_048_576);
    expect(config.auth).toEqual({ jwtSecret: INSECURE_DEV_SECRET, insecureSecret: true });
  });

  it('uses PostgreSQL and Kafka when both are given', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db/newsroom',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      KAFKA_TOPIC_PARTITIONS: '12',
      JWT_SECRET: 's3cret',
    });
    expect(config.embedded).toBe(false);
    expect(config.kafka?.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(config.kafka?.partitions).toBe(12);
    expect(config.kafka?.topics).toEqual({ articles: 'newsroom.article-events.v1', reactions: 'newsroom.reactions.v1' });
    expect(config.auth.insecureSecret).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ KAFKA_BROKERS: 'not a broker', DATABASE_URL: 'postgres://db/x' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'k1:9092' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL'],
    [{ BODY_LIMIT_BYTES: '-5' }, 'BODY_LIMIT_BYTES'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %j and names %s', (environment, name) => {
    expect(() => loadConfig(environment)).toThrow(ConfigError);
    try {
      loadConfig(environment);
    } catch (error) {
      expect(Object.keys((error as ConfigError).problems)).toEqual([name]);
      expect((error as ConfigError).message).toContain(name);
    }
  });
});
