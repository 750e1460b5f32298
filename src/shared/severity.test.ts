import { describe, it, expect } from 'vitest';
import { parseLevel, severityText, levelOf, SEVERITY_NUMBER } from './severity.js';

describe('severity', () => {
  it('maps the original level names, CRITICAL as FATAL and WARNING as WARN', () => {
    expect(parseLevel('CRITICAL')).toBe('fatal');
    expect(parseLevel('warning')).toBe('warn');
    expect(parseLevel(' Debug ')).toBe('debug');
    expect(parseLevel('verbose')).toBeUndefined();
    expect(parseLevel(3)).toBeUndefined();
  });

  it('follows the OTel 1..24 table', () => {
    expect(SEVERITY_NUMBER).toEqual({ trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 });
    expect(severityText(9)).toBe('INFO');
    expect(severityText(10)).toBe('INFO2');
    expect(severityText(24)).toBe('FATAL4');
    expect(severityText(0)).toBe('UNSPECIFIED');
    expect(severityText(25)).toBe('UNSPECIFIED');
    expect(levelOf(20)).toBe('error');
  });
});
