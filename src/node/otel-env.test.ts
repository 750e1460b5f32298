import { describe, expect, it } from 'vitest';
import { readOtelEnv } from './otel-env.js';

const layer = (env: Record<string, string>) => readOtelEnv(env).layer.logger;
const problems = (env: Record<string, string>) => readOtelEnv(env).problems;

describe('readOtelEnv', () => {
  it('reads nothing from an environment without OTEL_* variables, and treats empty values as unset', () => {
    expect(readOtelEnv({ PATH: '/bin' })).toEqual({ layer: { logger: {} }, problems: [] });
    expect(readOtelEnv({ OTEL_SERVICE_NAME: '', OTEL_TRACES_SAMPLER: '  ', OTEL_SDK_DISABLED: '' })).toEqual({ layer: { logger: {} }, problems: [] });
  });

  describe('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
    it('OTEL_SERVICE_NAME sets service_name', () => {
      expect(layer({ OTEL_SERVICE_NAME: ' checkout ' })).toEqual({ service_name: 'checkout' });
    });

    it('maps service.*, deployment.environment.name to the logger keys and keeps the rest as resource attributes', () => {
      expect(layer({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=orders, service.version=2.1.0,deployment.environment.name=prod,team=payments,k8s.pod.name=orders-7d' })).toEqual({
        service_name: 'orders',
        service_version: '2.1.0',
        environment: 'prod',
        resource_attributes: { team: 'payments', 'k8s.pod.name': 'orders-7d' },
      });
    });

    it('accepts the older deployment.environment key, the newer one winning', () => {
      expect(layer({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging' })).toEqual({ environment: 'staging' });
      expect(layer({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=old,deployment.environment.name=new' })).toEqual({ environment: 'new' });
    });

    it('OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES', () => {
      expect(layer({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-list', OTEL_SERVICE_NAME: 'from-name' })).toEqual({ service_name: 'from-name' });
    });

    it('percent-decodes keys and values, so , = and spaces can be written', () => {
      expect(layer({ OTEL_RESOURCE_ATTRIBUTES: 'note=a%2Cb%3Dc%20d,caf%C3%A9=%E2%9C%93' })).toEqual({ resource_attributes: { note: 'a,b=c d', café: '✓' } });
    });

    it('skips empty members and keeps an empty value', () => {
      expect(layer({ OTEL_RESOURCE_ATTRIBUTES: 'a=1,,b=' })).toEqual({ resource_attributes: { a: '1', b: '' } });
    });

    it.each([
      ['a member without =', 'team=payments,broken', /"broken" has no "="/],
      ['an empty key', 'team=payments,=x', /"=x" has an empty key/],
      ['a malformed percent-escape', 'team=100%', /malformed percent-escape/],
    ])('discards the whole list for %s, naming the variable and value', (_what, value, why) => {
      const r = readOtelEnv({ OTEL_RESOURCE_ATTRIBUTES: value, OTEL_SERVICE_NAME: 'kept' });
      expect(r.layer.logger).toEqual({ service_name: 'kept' });
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toContain(`OTEL_RESOURCE_ATTRIBUTES=${JSON.stringify(value)} ignored`);
      expect(r.problems[0]).toMatch(why);
    });
  });

  describe('OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG', () => {
    it.each(['always_on', 'always_off', 'parentbased_always_on', 'parentbased_always_off'])('reads %s', (s) => {
      expect(layer({ OTEL_TRACES_SAMPLER: s })).toEqual({ tracing: { sampler: s } });
    });

    it('reads the ratio samplers with their argument, case-insensitively', () => {
      expect(layer({ OTEL_TRACES_SAMPLER: 'TraceIdRatio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toEqual({ tracing: { sampler: 'traceidratio', sampler_arg: 0.25 } });
      expect(layer({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })).toEqual({ tracing: { sampler: 'parentbased_traceidratio', sampler_arg: 0 } });
      expect(layer({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toEqual({ tracing: { sampler: 'traceidratio' } });
    });

    it('ignores an unknown sampler (jaeger_remote too), naming it and the supported ones', () => {
      const r = readOtelEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote', OTEL_TRACES_SAMPLER_ARG: '0.5' });
      expect(r.layer.logger).toEqual({});
      expect(r.problems[0]).toBe(
        'OTEL_TRACES_SAMPLER="jaeger_remote" ignored: expected one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio',
      );
    });

    it.each(['1.5', '-0.1', 'half', '0x1', 'NaN', 'Infinity'])('ignores the ratio %s and keeps the sampler', (arg) => {
      const r = readOtelEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: arg });
      expect(r.layer.logger).toEqual({ tracing: { sampler: 'traceidratio' } });
      expect(r.problems).toEqual([`OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(arg)} ignored: expected a number between 0 and 1`]);
    });

    it('reports an argument given without a sampler, or to a sampler that takes none', () => {
      expect(readOtelEnv({ OTEL_TRACES_SAMPLER_ARG: '0.1' })).toEqual({
        layer: { logger: {} },
        problems: ['OTEL_TRACES_SAMPLER_ARG ignored: it is only read together with OTEL_TRACES_SAMPLER'],
      });
      expect(problems({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.1' })).toEqual([
        'OTEL_TRACES_SAMPLER_ARG ignored: the always_on sampler takes no argument',
      ]);
    });
  });

  describe('OTEL_PROPAGATORS', () => {
    it('reads a deduplicated list', () => {
      expect(layer({ OTEL_PROPAGATORS: 'baggage, tracecontext,baggage' })).toEqual({ tracing: { propagators: ['baggage', 'tracecontext'] } });
      expect(layer({ OTEL_PROPAGATORS: 'none' })).toEqual({ tracing: { propagators: ['none'] } });
    });

    it('reports and skips entries isotel does not support', () => {
      const r = readOtelEnv({ OTEL_PROPAGATORS: 'tracecontext,b3,xray' });
      expect(r.layer.logger).toEqual({ tracing: { propagators: ['tracecontext'] } });
      expect(r.problems).toEqual([
        'OTEL_PROPAGATORS entry "b3" ignored: isotel supports tracecontext, baggage, none',
        'OTEL_PROPAGATORS entry "xray" ignored: isotel supports tracecontext, baggage, none',
      ]);
    });

    it('ignores a list with no supported entry, and none next to others', () => {
      const r = readOtelEnv({ OTEL_PROPAGATORS: 'jaeger' });
      expect(r.layer.logger).toEqual({});
      expect(r.problems[1]).toBe('OTEL_PROPAGATORS="jaeger" ignored: no propagator isotel supports is in the list');
      const n = readOtelEnv({ OTEL_PROPAGATORS: 'none,baggage' });
      expect(n.layer.logger).toEqual({ tracing: { propagators: ['baggage'] } });
      expect(n.problems[0]).toMatch(/"none" ignored: it stands alone/);
    });
  });

  describe('OTEL_SDK_DISABLED', () => {
    it('is true only for case-insensitive "true"', () => {
      expect(layer({ OTEL_SDK_DISABLED: 'TRUE' })).toEqual({ disabled: true });
      expect(layer({ OTEL_SDK_DISABLED: 'false' })).toEqual({ disabled: false });
    });

    it.each(['1', 'yes', 'on'])('reports %s and ignores it (so the SDK stays enabled unless the file disables it)', (v) => {
      const r = readOtelEnv({ OTEL_SDK_DISABLED: v });
      expect(r.layer.logger).toEqual({});
      expect(r.problems).toEqual([`OTEL_SDK_DISABLED=${JSON.stringify(v)} ignored: expected true or false`]);
    });
  });

  describe('OTEL_LOG_LEVEL', () => {
    it.each(['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'])('reads %s', (v) => {
      expect(readOtelEnv({ OTEL_LOG_LEVEL: v.toUpperCase() }).logLevel).toBe(v);
    });

    it('ignores an unknown level', () => {
      const r = readOtelEnv({ OTEL_LOG_LEVEL: 'loud' });
      expect(r.logLevel).toBeUndefined();
      expect(r.problems[0]).toMatch(/^OTEL_LOG_LEVEL="loud" ignored: expected one of none, error, warn/);
    });
  });

  describe('attribute limits', () => {
    it('OTEL_METRIC_EXPORT_INTERVAL (ms) sets logger.metrics.export_interval (s); out of range is ignored with its reason', () => {
      expect(layer({ OTEL_METRIC_EXPORT_INTERVAL: '15000' })).toEqual({ metrics: { export_interval: 15 } });
      expect(problems({ OTEL_METRIC_EXPORT_INTERVAL: '50' })).toEqual(['OTEL_METRIC_EXPORT_INTERVAL="50" ignored: isotel needs at least 100']);
      expect(problems({ OTEL_METRIC_EXPORT_INTERVAL: '90000000' })).toEqual(['OTEL_METRIC_EXPORT_INTERVAL="90000000" ignored: expected at most 86400000 (one day)']);
    });

    it('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT and OTEL_ATTRIBUTE_COUNT_LIMIT set logger.limits', () => {
      expect(layer({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '256', OTEL_ATTRIBUTE_COUNT_LIMIT: '32' })).toEqual({
        limits: { max_attribute_value_length: 256, max_attributes: 32 },
      });
    });

    it.each([
      ['-1', 'expected a non-negative whole number'],
      ['1.5', 'expected a non-negative whole number'],
      ['1e3', 'expected a non-negative whole number'],
      ['lots', 'expected a non-negative whole number'],
      ['4294967296', 'expected at most 2147483647'],
      ['8', 'isotel needs at least 16'],
    ])('ignores %s', (v, why) => {
      const r = readOtelEnv({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: v });
      expect(r.layer.logger).toEqual({});
      expect(r.problems).toEqual([`OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=${JSON.stringify(v)} ignored: ${why}`]);
    });

    it('ignores an attribute count of 0', () => {
      expect(problems({ OTEL_ATTRIBUTE_COUNT_LIMIT: '0' })).toEqual(['OTEL_ATTRIBUTE_COUNT_LIMIT="0" ignored: isotel needs at least 1']);
    });
  });

  describe('OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS', () => {
    it('keeps a valid endpoint and headers (names lower-cased, values percent-decoded)', () => {
      expect(layer({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318', OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc,x-tenant=acme' })).toEqual({
        otlp_export: { endpoint: 'https://collector.example.com:4318', headers: { authorization: 'Bearer abc', 'x-tenant': 'acme' } },
      });
    });

    it.each([
      ['collector:4318', /expected an http:\/\/ or https:\/\/ URL/],
      ['ftp://collector', /got scheme ftp:/],
      ['not a url', /expected an http/],
    ])('ignores the endpoint %s', (v, why) => {
      const r = readOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: v });
      expect(r.layer.logger).toEqual({});
      expect(r.problems[0]).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${JSON.stringify(v)} ignored`);
      expect(r.problems[0]).toMatch(why);
    });

    it('never repeats credentials in a problem', () => {
      const url = readOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:s3cret@collector' });
      expect(url.problems[0]).toBe('OTEL_EXPORTER_OTLP_ENDPOINT="https://***@collector" ignored: credentials in the URL are not accepted (use OTEL_EXPORTER_OTLP_HEADERS)');
      for (const v of ['Authorization', 'Authorization=Bearer s3cret,bad name=s3cret', 'api-key=s3cret%']) {
        const h = readOtelEnv({ OTEL_EXPORTER_OTLP_HEADERS: v });
        expect(h.layer.logger).toEqual({});
        expect(h.problems).toHaveLength(1);
        expect(h.problems[0]).toMatch(/^OTEL_EXPORTER_OTLP_HEADERS ignored: /);
        expect(h.problems[0]).not.toContain('s3cret');
      }
    });
  });

  describe('OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_EXPORTER_OTLP_COMPRESSION', () => {
    it('keeps http/protobuf, http/json (any case) and gzip', () => {
      expect(layer({ OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/JSON', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' })).toEqual({ otlp_export: { protocol: 'http/json', compression: 'gzip' } });
      expect(layer({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' })).toEqual({ otlp_export: { protocol: 'http/protobuf' } });
    });

    it('names grpc as unsupported and ignores an unknown protocol or compression', () => {
      expect(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([
        'OTEL_EXPORTER_OTLP_PROTOCOL="grpc" ignored: OTLP over gRPC is not supported; use http/protobuf or http/json (the receiver\'s OTLP/HTTP port, 4318 by default)',
      ]);
      expect(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml', OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' })).toEqual([
        'OTEL_EXPORTER_OTLP_PROTOCOL="http/xml" ignored: expected one of http/protobuf, http/json',
        'OTEL_EXPORTER_OTLP_COMPRESSION="brotli" ignored: expected one of gzip, none',
      ]);
    });
  });
});
