export { createKafkaBackend, kafkaBackend } from './backend.js';
export type { KafkaBackendOptions } from './backend.js';
