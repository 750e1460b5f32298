import { afterEach, describe, expect, it, vi } from 'vitest';
import { diag as apiDiag } from '@opentelemetry/api';
import { attachApiDiag, diagSinkFor } from './otel-diag.js';
import type { DiagLevel } from '../shared/diag.js';

afterEach(() => vi.restoreAllMocks());

function printed(level: Parameters<typeof diagSinkFor>[0]): string[] {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const sink = diagSinkFor(level);
  for (const l of ['debug', 'info', 'warn', 'error'] as DiagLevel[]) sink(l, `a ${l} message`);
  const lines = warn.mock.calls.map((c) => String(c[0]));
  warn.mockRestore();
  return lines;
}

describe('OTEL_LOG_LEVEL', () => {
  it('filters the default diag sink', () => {
    expect(printed('none')).toEqual([]);
    expect(printed('error')).toEqual(['[isotel error] a error message']);
    expect(printed('warn')).toEqual(['[isotel warn] a warn message', '[isotel error] a error message']);
    expect(printed('info')).toHaveLength(3);
    expect(printed('debug')).toHaveLength(4);
    expect(printed('all')).toHaveLength(4);
  });

  it('unset, prints what it printed before: info, warnings and errors, debug only with ISOTEL_DEBUG', () => {
    expect(printed(undefined).length).toBe(process.env.ISOTEL_DEBUG ? 4 : 3);
  });

  it('sends the OpenTelemetry API diag messages at that level to the sink, until detached', () => {
    const got: Array<[DiagLevel, string]> = [];
    const detach = attachApiDiag((l, m) => got.push([l, m]), 'warn');
    apiDiag.error('boom');
    apiDiag.warn('careful');
    apiDiag.info('chatty');
    apiDiag.debug('chattier');
    detach();
    detach();
    apiDiag.error('after detach');
    expect(got).toEqual([
      ['error', '[otel] boom'],
      ['warn', '[otel] careful'],
    ]);
  });

  it('never lets a throwing sink reach OpenTelemetry', () => {
    const detach = attachApiDiag(() => {
      throw new Error('sink broke');
    }, 'all');
    expect(() => apiDiag.error('x')).not.toThrow();
    detach();
  });
});
