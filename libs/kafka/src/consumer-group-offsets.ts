import type { KafkaClient } from './kafka-client.js';
import { kafkajsOf } from './kafkajs-handle.js';

/**
 * Moves a consumer group's committed offsets to the start of each topic (`earliest`: the group
 * reads everything again) or to its end (`latest`: it skips the backlog). Kafka allows this only
 * while the group has no members, so stop every consumer of the group first.
 */
export async function resetConsumerGroupOffsets(
  client: KafkaClient,
  groupId: string,
  topics: readonly string[],
  to: 'earliest' | 'latest' = 'earliest',
): Promise<void> {
  const admin = kafkajsOf(client).admin();
  await admin.connect();
  try {
    for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: to === 'earliest' });
  } finally {
    await admin.disconnect();
  }
}
