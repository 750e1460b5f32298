// One Kafka client measured in its own process (own heap and JIT): N ~1 KB messages produced with an idempotent
// producer and acks=all, in batches of B, one batch in flight (what an idempotent producer that keeps order
// does with one partition leader per batch), then consumed by a fresh consumer group from the beginning.
//   node bench/kafka/clients.mjs <platformatic|kafkajs> <topic> <n> <batch>   prints one JSON line
import { Admin, Consumer, Producer } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';

const [client, topic, nArg, batchArg] = process.argv.slice(2);
const N = Number(nArg);
const BATCH = Number(batchArg);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const payload = Buffer.alloc(1000, 'x');

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
}

async function createTopic() {
  const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: BROKERS });
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
  await admin.close();
}

function batches() {
  const out = [];
  for (let i = 0; i < N; i += BATCH) {
    out.push(Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => ({ key: Buffer.from(`k${(i + j) % 997}`), value: payload })));
  }
  return out;
}

async function produce(send) {
  const latencies = [];
  const all = batches();
  const t0 = performance.now();
  for (const messages of all) {
    const s = performance.now();
    await send(messages);
    latencies.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { producePerSec: N / seconds, p50AckMs: percentile(latencies, 50), p99AckMs: percentile(latencies, 99) };
}

async function platformatic() {
  const producer = new Producer({ clientId: 'bench-p', bootstrapBrokers: BROKERS, idempotent: true, acks: -1 });
  const p = await produce((messages) => producer.send({ messages: messages.map((m) => ({ ...m, topic })) }));
  await producer.close();
  const consumer = new Consumer({ clientId: 'bench-c', groupId: `${topic}-g`, bootstrapBrokers: BROKERS });
  const t0 = performance.now();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
  let n = 0;
  for await (const m of stream) {
    if (m.value.length !== payload.length) throw new Error('bad message');
    if (++n >= N) break;
  }
  const consumePerSec = N / ((performance.now() - t0) / 1000);
  await stream.close();
  await consumer.close(true);
  return { ...p, consumePerSec };
}

async function kafkajs() {
  const kafka = new Kafka({ clientId: 'bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const p = await produce((messages) => producer.send({ topic, acks: -1, messages }));
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const t0 = performance.now();
  let n = 0;
  let seconds = 0;
  await new Promise((resolve) => {
    consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) if (m.value.length !== payload.length) throw new Error('bad message');
        n += batch.messages.length;
        if (n >= N && seconds === 0) {
          seconds = (performance.now() - t0) / 1000;
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return { ...p, consumePerSec: N / seconds };
}

await createTopic();
const result = client === 'kafkajs' ? await kafkajs() : await platformatic();
console.log(JSON.stringify({ client, ...result }));
process.exit(0);
