/**
 * `compression` of the kafka backend against the real broker of scripts/kafka.sh: the producer compresses its
 * record batches, the broker stores them so (the codec is read from its segment files), and a consumer reads the
 * records back, each once.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogger } from '../src/node/index.js';
import { decodeLogs, decodeLogsProtobuf } from '../src/shared/otlp/index.js';
import { BROKERS, createTopics, readTopics, startKafka, uniqueTopic, type ReadMessage } from './helpers/kafka.js';

beforeAll(() => startKafka());

/** Sends `n` log records through a logger whose kafka backend has `compression`, to a new topic; returns it. */
async function produce(compression: string | undefined, n: number): Promise<string> {
  const topic = uniqueTopic(`logs-${compression ?? 'default'}`);
  await createTopics([topic]);
  const dir = mkdtempSync(join(tmpdir(), 'isotel-kafka-compression-'));
  try {
    const logger = await configureLogger({
      config: {
        logger: {
          service_name: 'orders',
          enable_console: false,
          data_dir: join(dir, 'data'),
          backends: [{ backend_type: 'kafka', config: { brokers: BROKERS, topics: { logs: topic }, retry_delay: 0.2, timeout: 5, ...(compression ? { compression } : {}) } }],
        },
      },
      exitHooks: false,
    });
    for (let i = 0; i < n; i++) logger.info('order paid', { i, 'http.route': '/api/orders/:id/pay' });
    await logger.flush();
    await logger.close();
    return topic;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const idsOf = (ms: ReadMessage[]) => ms.flatMap((m) => decodeLogs(decodeLogsProtobuf(m.value)).records.map((r) => r.record_id));

/** The compression codecs (bits 0-2 of each record batch's attributes) the shared broker stored for `topic`. */
function batchCodecs(topic: string): number[] {
  const data = join(process.env.KAFKA_CACHE ?? join(process.cwd(), '.cache/kafka'), 'run-1/node-1/data');
  const codecs: number[] = [];
  for (const d of readdirSync(data).filter((name) => name.startsWith(`${topic}-`))) {
    const file = join(data, d, '00000000000000000000.log');
    if (!existsSync(file)) continue;
    const buf = readFileSync(file);
    // batch header: baseOffset int64, batchLength int32, leaderEpoch int32, magic int8, crc int32, attributes int16
    for (let at = 0; at + 23 <= buf.length; at += 12 + buf.readInt32BE(at + 8)) codecs.push(buf.readInt16BE(at + 21) & 7);
  }
  return codecs;
}

describe('kafka backend compression (real broker)', () => {
  it.each([
    ['gzip', 1],
    ['lz4', 3],
    [undefined, 0],
  ] as const)('compression %s: every stored batch has codec %i, and the records read back once each', async (compression, codec) => {
    const topic = await produce(compression, 200);
    const ids = idsOf(await readTopics([topic], (m) => idsOf(m).length >= 200));
    expect(new Set(ids).size).toBe(200);
    expect(ids).toHaveLength(200);
    const codecs = batchCodecs(topic);
    expect(codecs.length).toBeGreaterThan(0);
    expect(new Set(codecs)).toEqual(new Set([codec]));
  });
});
