import { describe, it, expect } from 'vitest';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { createRedactor } from '../shared/redact.js';
import { decodeLogs, decodeLogsProtobuf } from '../shared/otlp/index.js';
import { enrichLogs, type EnrichContext } from './enrich.js';

const NOW_MS = Date.parse('2025-07-06T12:00:00Z');

/** What a foreign OTel SDK sends for a log call in a tight loop: three identical records, one other, no uid. */
async function tightLoop() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'loop' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('loop');
  const emit = (body: string) => logger.emit({ severityNumber: SeverityNumber.INFO, body, attributes: { n: 1 }, timestamp: [1751798096, 5], observedTimestamp: [1751798096, 9] });
  emit('tick');
  emit('tick');
  emit('tock');
  emit('tick');
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

function ctx(receivedAtMs: number): EnrichContext {
  return { receivedAtMs, skewThresholdMs: 1000, redactor: createRedactor({ keys: [], patterns: [], replacement: 'x', useDefaults: true }) };
}

function idsOf(body: unknown, receivedAtMs = NOW_MS): string[] {
  const { records, errors } = decodeLogs(body, { nowMs: NOW_MS });
  expect(errors).toEqual([]);
  enrichLogs(records, ctx(receivedAtMs));
  return records.map((r) => r.record_id);
}

describe('enrichLogs record ids', () => {
  it('gives identical records of one request distinct ids, and a re-sent request the same ids, in JSON and protobuf alike', async () => {
    const records = await tightLoop();
    const json = () => JSON.parse(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(records))) as unknown;
    const proto = () => decodeLogsProtobuf(ProtobufLogsSerializer.serializeRequest(records) as Uint8Array);

    const ids = idsOf(json());
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    // A re-send (later, with another receive time) maps to the same ids, whatever its encoding.
    expect(idsOf(json(), NOW_MS + 60_000)).toEqual(ids);
    expect(idsOf(proto())).toEqual(ids);
    expect(idsOf(proto(), NOW_MS + 60_000)).toEqual(ids);
  });

  it('keeps a log.record.uid and counts no occurrence for it', () => {
    const rec = (uid?: string) => ({
      timeUnixNano: '1751798096000000005',
      body: { stringValue: 'tick' },
      attributes: uid ? [{ key: 'log.record.uid', value: { stringValue: uid } }] : [],
    });
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [rec('own-1'), rec(), rec('own-1'), rec()] }] }] };
    const ids = idsOf(body);
    expect(ids[0]).toBe('own-1');
    expect(ids[2]).toBe('own-1');
    expect(ids[1]).not.toBe(ids[3]);
    // Without the uid records in between, the derived ones get the same ids: they were the 1st and 2nd.
    expect(idsOf({ resourceLogs: [{ scopeLogs: [{ logRecords: [rec(), rec()] }] }] })).toEqual([ids[1], ids[3]]);
  });
});
