import type { AnyValue, LogRecord } from './types.js';

/** A log body as one line of text (a structured body as JSON); rendered as text by the components. */
export function bodyText(body: AnyValue): string {
  if (typeof body === 'string') return body;
  if (body === null) return '';
  return JSON.stringify(body);
}

/** The severity's level name, for its label and style class. */
export function severityName(log: Pick<LogRecord, 'severity_number' | 'severity_text'>): string {
  const n = log.severity_number;
  if (n >= 21) return 'FATAL';
  if (n >= 17) return 'ERROR';
  if (n >= 13) return 'WARN';
  if (n >= 9) return 'INFO';
  if (n >= 5) return 'DEBUG';
  if (n >= 1) return 'TRACE';
  return log.severity_text || 'UNSET';
}

export function logService(log: Pick<LogRecord, 'resource'>): string {
  const s = log.resource['service.name'];
  return typeof s === 'string' ? s : '';
}
