import { describe, expect, it } from 'vitest';
import { logsHref, parseRoute, searchHref, traceHref } from './route.js';

describe('hash routes', () => {
  it('reads a trace page with its selected span', () => {
    expect(parseRoute(traceHref('ABCDEF0123', 'b7ad6b7169203331'))).toEqual({ page: 'trace', traceID: 'abcdef0123', span: 'b7ad6b7169203331' });
    expect(parseRoute('#/trace/abc')).toEqual({ page: 'trace', traceID: 'abc' });
  });

  it('reads the logs and search pages with their parameters, leaving out empty ones', () => {
    const logs = parseRoute(logsHref({ trace_id: 'abc', q: '' }));
    expect(logs.page).toBe('logs');
    expect(logs.page === 'logs' && logs.query.toString()).toBe('trace_id=abc');
    const search = parseRoute(searchHref({ service: 'a b', tags: 'k=v' }));
    expect(search.page === 'search' && search.query.get('tags')).toBe('k=v');
  });

  it('falls back to the search page for anything else, a trace id that is not hex included', () => {
    expect(parseRoute('').page).toBe('search');
    expect(parseRoute('#/trace/<script>').page).toBe('search');
  });
});
