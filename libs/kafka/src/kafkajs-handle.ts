import type { Kafka } from 'kafkajs';

// The kafkajs client behind a KafkaClient, reachable from our producer and consumer wrappers
// but not from the library's public API (index.ts does not export this module).
const handles = new WeakMap<object, Kafka>();

export function attachKafkajs(owner: object, kafka: Kafka): void {
  handles.set(owner, kafka);
}

export function kafkajsOf(owner: object): Kafka {
  const kafka = handles.get(owner);
  if (!kafka) throw new Error('not a KafkaClient');
  return kafka;
}
