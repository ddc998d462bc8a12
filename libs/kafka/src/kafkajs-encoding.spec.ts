import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { toCloudEventMessage } from './cloud-event.mapper.js';

/*
 * kafkajs 2.2.4 is patched (patches/kafkajs+2.2.4.patch, applied by `npm ci`): its Encoder takes
 * buffers without zero-filling them. Correct only because it writes every byte it later reads; this
 * encodes records through the patched code, over pooled memory left dirty by the records before,
 * and reads them back with kafkajs's own decoder.
 */
const require = createRequire(import.meta.url);
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const Decoder = require('kafkajs/src/protocol/decoder');
const Long = require('kafkajs/src/utils/long');

interface DecodedRecord {
  key: Buffer;
  value: Buffer;
  headers: Record<string, Buffer>;
}

const messageOf = (index: number) =>
  toCloudEventMessage(
    {
      eventId: `0196f5f2-1c2b-7a55-9c1e-${String(index).padStart(12, '0')}`,
      streamId: `reaction-0196f5f2-1c2b-7a55-9c1e-3a6a0d7f2a11:reader-${'x'.repeat(index % 40)}`,
      streamVersion: index + 1,
      type: 'ReactionAdded',
      data: { articleId: '0196f5f2-1c2b-7a55-9c1e-3a6a0d7f2a11', kind: 'like', note: 'é✓'.repeat(index % 7) },
      recordedAt: new Date(Date.UTC(2026, 10, 28, 6, 0, index % 60)),
      position: 1_000_000 + index,
    },
    { type: 'newsroom.reaction.added.v1' },
  );

describe('kafkajs record encoding (patched Encoder)', () => {
  it('is the patched kafkajs 2.2.4', () => {
    expect(require('kafkajs/package.json').version).toBe('2.2.4');
    expect(readFileSync(require.resolve('kafkajs/src/protocol/encoder.js'), 'utf8')).toContain('Buffer.allocUnsafe');
  });

  it('reads back every key, value and header exactly, over dirty pooled memory', async () => {
    // Leave garbage in the pool the Encoder's buffers come from.
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(512).fill(0xab);
    const messages = Array.from({ length: 300 }, (_, index) => messageOf(index));
    const records = messages.map((message, index) =>
      Record({
        offsetDelta: index,
        timestampDelta: 0,
        key: Buffer.from(message.key),
        value: Buffer.from(message.value),
        headers: message.headers,
      }),
    );
    const encoded = await RecordBatch({
      records,
      firstTimestamp: Date.now(),
      maxTimestamp: Date.now(),
      producerId: Long.fromInt(7),
      producerEpoch: 0,
      firstSequence: 0,
    });

    const decoded: { records: DecodedRecord[] } = await decodeRecordBatch(new Decoder(encoded.buffer));

    expect(decoded.records).toHaveLength(messages.length);
    decoded.records.forEach((record, index) => {
      const message = messages[index];
      expect(record.key.toString('utf8')).toBe(message.key);
      expect(record.value.toString('utf8')).toBe(message.value);
      const headers = Object.fromEntries(Object.entries(record.headers).map(([name, value]) => [name, value.toString('utf8')]));
      expect(headers).toEqual(message.headers);
    });
  });
});
