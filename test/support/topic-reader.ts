import { KafkaClient, type IncomingMessage } from '#libs/kafka';

/**
 * Reads topics from the beginning, in a consumer group of its own, until `enough(messages)` holds
 * or the time is up, and returns what came (delivery is at-least-once: maybe some twice).
 */
export async function readTopics(
  topics: string[],
  enough: (messages: IncomingMessage[]) => boolean,
  timeoutMs = 30_000,
  brokers = process.env.KAFKA_BROKERS!,
): Promise<IncomingMessage[]> {
  const kafka = new KafkaClient({ brokers, clientId: 'spec-topic-reader' });
  const deadline = Date.now() + timeoutMs;
  // The service's relay creates the topics; subscribing to one that does not exist yet fails.
  while (Object.keys(await kafka.topicPartitionCounts(topics)).length < topics.length) {
    if (Date.now() > deadline) throw new Error(`the service did not create its topics ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const consumer = kafka.createConsumer({ groupId: `spec-${process.pid}-${Date.now()}`, topics, fromBeginning: true });
  const messages: IncomingMessage[] = [];
  try {
    await consumer.start(async (batch) => {
      messages.push(...batch.messages);
    });
    while (!enough(messages) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await consumer.stop();
  }
  return messages;
}
