/**
 * The span API as named exports of `isotel/browser` and `/zone` (`import { withSpan } from 'isotel/browser'`):
 * spans of the global tracer provider, isotel's once init ran (non-recording before), in the context of the
 * manager isotel registered. Pure: an app that does not import them does not ship this object.
 */
import { trace } from '@opentelemetry/api';
import { SDK_VERSION } from '../../shared/version.js';
import { createSpanApi } from './span-api.js';

const globalSpans = /* @__PURE__ */ createSpanApi(() => trace.getTracer('isotel', SDK_VERSION));
export const startSpan = globalSpans.startSpan;
export const withSpan = globalSpans.withSpan;
export const getActiveSpan = globalSpans.getActiveSpan;
