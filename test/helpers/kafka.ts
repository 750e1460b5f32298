import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Admin, Consumer, Producer, defaultPartitioner } from '@platformatic/kafka';

/**
 * The real broker of scripts/kafka.sh (one broker, 127.0.0.1:9092) for the Kafka integration tests: started
 * (or reused) by the tests themselves, stopped and started again by the outage tests, topics read back with a
 * throwaway consumer group. Integration files run one at a time, so a stopped broker affects only its file.
 */
const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
export const BROKERS = ['127.0.0.1:9092'];

async function kafkaSh(command: 'start' | 'stop' | 'status'): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', ['scripts/kafka.sh', command], { cwd: ROOT, timeout: 240_000 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`scripts/kafka.sh ${command} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Starts (or reuses) the one-broker cluster; a three-broker one left by another run is stopped first. */
export async function startKafka(): Promise<void> {
  try {
    await kafkaSh('start');
  } catch (err) {
    if (!String(err).includes('stop it first')) throw err;
    await kafkaSh('stop');
    await kafkaSh('start');
  }
}

export async function stopKafka(): Promise<void> {
  await kafkaSh('stop');
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function createTopics(topics: string[], partitions = 3): Promise<void> {
  const admin = new Admin({ clientId: 'isotel-test-admin', bootstrapBrokers: BROKERS });
  try {
    await admin.createTopics({ topics, partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/** The partition a record keyed `key` belongs in: the producer's default partitioner, as isotel's sink computes it. */
export function partitionOfKey(key: string, partitions = 3): number {
  return defaultPartitioner(undefined as never, Buffer.from(key)) % partitions;
}

export interface ReadMessage {
  topic: string;
  partition: number;
  key: Buffer;
  value: Buffer;
  headers: Map<string, string>;
}

/**
 * Every message of `topics` from the beginning, read by a new consumer group until `done(messages)` holds, or
 * until `idleMs` passed without a new message after it did (to see duplicates that would follow), or `timeoutMs`.
 */
export async function readTopics(topics: string[], done: (m: ReadMessage[]) => boolean, { timeoutMs = 60_000, idleMs = 1500, brokers = BROKERS } = {}): Promise<ReadMessage[]> {
  const consumer = new Consumer({ clientId: 'isotel-test-reader', groupId: uniqueTopic('reader'), bootstrapBrokers: brokers });
  const stream = await consumer.consume({ topics, mode: 'earliest', autocommit: false, maxWaitTime: 200 });
  const out: ReadMessage[] = [];
  let last = Date.now();
  const end = Date.now() + timeoutMs;
  stream.on('data', (m) => {
    const headers = new Map<string, string>();
    for (const [k, v] of m.headers) headers.set(k.toString(), v.toString());
    out.push({ topic: m.topic, partition: m.partition, key: m.key, value: m.value, headers });
    last = Date.now();
  });
  try {
    while (Date.now() < end && !(done(out) && Date.now() - last >= idleMs)) await new Promise((r) => setTimeout(r, 100));
    return out;
  } finally {
    await stream.close();
    await consumer.close(true);
  }
}

/** Produces raw values (as another producer, e.g. a Collector's kafka exporter, would). */
export async function produceRaw(messages: Array<{ topic: string; key?: string; value: Uint8Array }>): Promise<void> {
  const producer = new Producer({ clientId: 'isotel-test-producer', bootstrapBrokers: BROKERS, idempotent: true, acks: -1, autocreateTopics: true });
  try {
    await producer.send({ messages: messages.map((m) => ({ topic: m.topic, key: m.key === undefined ? undefined : Buffer.from(m.key), value: Buffer.from(m.value) })) });
  } finally {
    await producer.close();
  }
}

/**
 * A private cluster of scripts/kafka.sh on its own ports (KAFKA_PORT_BASE), for the tests that stop or kill
 * brokers: the shared broker at 9092 is never touched.
 */
export function privateKafka(portBase: number, brokers: 1 | 3 = 1) {
  const env = { ...process.env, KAFKA_PORT_BASE: String(portBase) };
  const sh = async (command: 'start' | 'stop'): Promise<string> => {
    const { stdout, stderr } = await run('bash', ['scripts/kafka.sh', command, '--brokers', String(brokers)], { cwd: ROOT, env, timeout: 240_000 });
    return `${stdout}${stderr}`;
  };
  const pidFile = (node: number) => `${ROOT}.cache/kafka/run-${portBase}-${brokers}/node-${node}/kafka.pid`;
  return {
    brokers: Array.from({ length: brokers }, (_, i) => `127.0.0.1:${portBase + i}`),
    start: () => sh('start'),
    stop: () => sh('stop'),
    /** SIGKILL one node (1-based); `start()` brings it back. */
    async kill(node: number): Promise<void> {
      const { readFileSync } = await import('node:fs');
      process.kill(Number(readFileSync(pidFile(node), 'utf8').trim()), 'SIGKILL');
    },
  };
}

/** Creates topics on any cluster (replicas: the cluster's size). */
export async function createTopicsOn(brokers: string[], topics: string[], partitions = 3, replicas = 1): Promise<void> {
  const admin = new Admin({ clientId: 'isotel-test-admin', bootstrapBrokers: brokers });
  try {
    await admin.createTopics({ topics, partitions, replicas });
  } finally {
    await admin.close();
  }
}
