import { describe, expect, it } from 'vitest';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createDiag } from '../shared/diag.js';
import { pathMatcher, enableInstrumentations } from './instrumentations.js';

describe('pathMatcher (logger.tracing.ignore_incoming_paths)', () => {
  it('matches exact paths and prefixes written with a trailing *', () => {
    const m = pathMatcher(['/v1/logs', '/static/*']);
    expect([m('/v1/logs'), m('/v1/logs/x'), m('/static/'), m('/static/a.js'), m('/api'), m('/')]).toEqual([true, false, true, true, false, false]);
  });
});

describe('enableInstrumentations', () => {
  it('enables the named instrumentations once per process and again after disable', () => {
    const messages: string[] = [];
    const diag = createDiag((_level, message) => messages.push(message));
    const tracerProvider = new BasicTracerProvider();
    const first = enableInstrumentations({ names: ['http', 'pg', 'http'], tracerProvider, diag });
    expect(first.names).toEqual(['http', 'pg']);
    const second = enableInstrumentations({ names: ['http'], tracerProvider, diag });
    expect(second.names).toEqual([]);
    expect(messages.join('\n')).toContain('already enabled by another isotel logger');
    first.disable();
    first.disable(); // idempotent
    const third = enableInstrumentations({ names: ['undici'], tracerProvider, diag });
    expect(third.names).toEqual(['undici']);
    third.disable();
  });

  it('enables nothing for an empty list', () => {
    const e = enableInstrumentations({ names: [], tracerProvider: new BasicTracerProvider(), diag: createDiag(() => {}) });
    expect(e.names).toEqual([]);
    e.disable();
  });
});
