import { describe, it, expect } from 'vitest';
import { parseConfigObject } from '../node/engine/index.js';
import { createIngestRedactor } from './redaction.js';

const redactorFor = (logger: unknown, ingest: unknown) => {
  const c = parseConfigObject({ logger: { redact: logger }, ingest: { redact: ingest } });
  return createIngestRedactor(c.logger.redact, c.ingest!.redact);
};

describe('createIngestRedactor', () => {
  it("adds ingest.redact keys and patterns to the logger's", () => {
    const r = redactorFor({ keys: ['tenant_pin'], patterns: ['order-\\d{6}'] }, { keys: ['session_ref'], patterns: ['ticket-\\d{4}'] });
    expect(r.attributes({ tenant_pin: '1', session_ref: '2', password: '3', plain: 'ok' })).toEqual({
      tenant_pin: '[REDACTED]',
      session_ref: '[REDACTED]',
      password: '[REDACTED]',
      plain: 'ok',
    });
    expect(r.text('order-123456 ticket-1234')).toBe('[REDACTED] [REDACTED]');
  });

  it("keeps the logger's replacement and use_defaults when the ingest section does not set them", () => {
    const r = redactorFor({ replacement: '***', use_defaults: false }, { keys: ['session_ref'] });
    expect(r.attributes({ session_ref: 'x', password: 'y' })).toEqual({ session_ref: '***', password: 'y' });
  });

  it("overrides the logger's replacement and use_defaults with the ingest section's", () => {
    const r = redactorFor({ replacement: '***', use_defaults: false }, { replacement: '<gone>', use_defaults: true });
    expect(r.attributes({ password: 'y', plain: 'ok' })).toEqual({ password: '<gone>', plain: 'ok' });
  });
});
