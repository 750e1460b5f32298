/**
 * The context of `isotel/browser/zone`: @opentelemetry/context-zone (zone.js, installed on import), whose
 * context follows timers, promises, event listeners and XHR callbacks, so withSpan's mark (keep-key.ts) is
 * not needed there. zone.js cannot follow native `await`: the zone builds lower async/await to generators,
 * and so must the app's bundler (README).
 */
import type { ContextManager } from '@opentelemetry/api';
import { ZoneContextManager } from '@opentelemetry/context-zone';

export function zoneContext(): ContextManager {
  return new ZoneContextManager();
}
