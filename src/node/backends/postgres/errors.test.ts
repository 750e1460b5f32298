import { describe, expect, it } from 'vitest';
import { resolvePostgresConfig } from './config.js';
import { classifyWriteError, startupError } from './errors.js';

const dbError = (code: string, message = 'server said no') => Object.assign(new Error(message), { code, severity: 'ERROR' });
const sysError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });

describe('write error classification', () => {
  it.each(['57P01', '53300', '40001', '40P01', '08006', '57014'])('retries SQLSTATE %s', (code) => {
    const k = classifyWriteError(dbError(code));
    expect(k.kind).toBe('retryable');
    if (k.kind === 'retryable') expect(k.reason).toMatch(/^postgres backend: /);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])('retries %s after a delay', (code) => {
    const k = classifyWriteError(sysError(code));
    expect(k).toMatchObject({ kind: 'retryable', reason: expect.stringMatching(/^postgres backend: connection failed/) });
  });

  it('retries a dropped connection reported by pg without a code', () => {
    expect(classifyWriteError(new Error('Connection terminated unexpectedly')).kind).toBe('retryable');
  });

  it.each(['22001', '22P02', '23502', '54000'])('treats SQLSTATE %s as a bad row', (code) => {
    expect(classifyWriteError(dbError(code)).kind).toBe('data');
  });

  it('asks for the tables to be re-created when one was dropped', () => {
    expect(classifyWriteError(dbError('42P01'))).toMatchObject({ kind: 'retryable', schemaMissing: true });
  });
});

describe('start-up errors', () => {
  const config = resolvePostgresConfig({ database: 'logs', user: 'bob' });

  it('names user and password on an authentication failure', () => {
    const err = startupError(dbError('28P01', 'password authentication failed for user "bob"'), config);
    expect(err.message).toMatch(/^postgres backend: authentication failed for user "bob" on localhost:5432 \(check config\.user\/password\)/);
    expect(err.retryable).toBe(false);
  });

  it('names host and port when a dual-stack connect is refused on every address', () => {
    const agg = Object.assign(new AggregateError([sysError('ECONNREFUSED'), sysError('ECONNREFUSED')], ''), { code: 'ECONNREFUSED' });
    const err = startupError(agg, config);
    expect(err.message).toContain('cannot connect to localhost:5432: connection refused (check config.host/port');
    expect(err.retryable).toBe(true);
  });
});

describe('configuration', () => {
  it('applies the defaults', () => {
    expect(resolvePostgresConfig({ database: 'd' })).toMatchObject({
      host: 'localhost', port: 5432, user: 'postgres', table_name: 'otel_logs', spans_table_name: 'otel_spans', schema: 'public',
      ssl: false, pool_size: 4, connect_timeout_ms: 5000, statement_timeout_ms: 30_000,
    });
  });

  it.each([
    [{}, /config\.database is required/],
    [{ database: 'd', port: 0 }, /config\.port must be an integer from 1 to 65535/],
    [{ database: 'd', schema: 'a.b' }, /config\.schema must be a plain SQL identifier/],
    [{ database: 'd', ssl: 'yes' }, /config\.ssl must be true, false or/],
    [{ database: 'd', spans_table_name: 'otel_logs' }, /config\.spans_table_name must differ/],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => resolvePostgresConfig(input as never)).toThrow(message);
  });
});
