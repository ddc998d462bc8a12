import { logLevel } from 'kafkajs';
import { routeLogsTo } from './kafka-client.js';

describe('kafkajs logs, routed to our logger', () => {
  const routed = () => {
    const lines: string[] = [];
    const logger = { log: (m: string) => void lines.push(`info ${m}`), warn: (m: string) => void lines.push(`warn ${m}`), error: (m: string) => void lines.push(`error ${m}`), debug: (m: string) => void lines.push(`debug ${m}`) };
    const entry = routeLogsTo(logger)(logLevel.INFO);
    const say = (namespace: string, level: logLevel, message: string) => entry({ namespace, level, label: '', log: { message, timestamp: '' } });
    return { lines, say };
  };

  it('keeps warnings for what needs a look, info for a routine rebalance, debug for per-attempt retries', () => {
    const { lines, say } = routed();
    say('Runner', logLevel.ERROR, 'The group is rebalancing, re-joining');
    say('Consumer', logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded');
    say('Connection', logLevel.ERROR, 'Connection error: connect ECONNREFUSED');
    say('Consumer', logLevel.INFO, 'Starting');
    expect(lines).toEqual([
      'info kafkajs Runner: The group is rebalancing, re-joining',
      'warn kafkajs Consumer: Crash: KafkaJSNumberOfRetriesExceeded',
      'debug kafkajs Connection: Connection error: connect ECONNREFUSED',
      'debug kafkajs Consumer: Starting',
    ]);
  });
});
