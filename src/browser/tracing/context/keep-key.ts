/**
 * The mark `withSpan` puts on the context it runs its function in: "keep this context through the promise
 * the function returns". The zone-free manager (promise-scope.ts) takes the mark off and keeps the context;
 * any other manager (zone.js, one the app registered) ignores it. A context key, so that `withSpan` works
 * through the global OpenTelemetry API, with no reference to the manager.
 */
import { createContextKey } from '@opentelemetry/api';

export const KEEP_THROUGH_PROMISE = createContextKey('isotel.keep_through_promise');
