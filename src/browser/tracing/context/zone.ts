/**
 * The context of `isotel/browser/zone`: @opentelemetry/context-zone (zone.js, installed on import), whose
 * context follows timers, promises, event listeners and XHR callbacks. zone.js cannot follow native
 * `await`: the zone builds lower async/await to generators, and so must the app's bundler (README).
 */
import { ZoneContextManager } from '@opentelemetry/context-zone';
import type { ContextChoice } from './types.js';

export function zoneContext(): ContextChoice {
  const manager = new ZoneContextManager();
  return { manager, run: (ctx, fn) => manager.with(ctx, fn) };
}
