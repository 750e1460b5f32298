/** exception.* attributes (OTel semantic conventions) from whatever was thrown, never throwing itself: the one builder, for the browser and Node SDKs. */
import type { Attributes } from './model.js';


export function exceptionAttributes(thrown: unknown, fallbackMessage = ''): Attributes {
  try {
    const e = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as { name?: unknown; message?: unknown; stack?: unknown };
    const out: Attributes = {
      'exception.type': e.message !== undefined ? String(e.name != null ? e.name : 'Error') : typeof thrown,
      'exception.message': e.message !== undefined ? String(e.message) : thrown === undefined ? fallbackMessage : String(thrown),
    };
    if (typeof e.stack === 'string') out['exception.stacktrace'] = e.stack.slice(0, 8_192) /* the longest stack kept, browser and Node alike */;
    return out;
  } catch {
    return { 'exception.type': 'Unknown', 'exception.message': fallbackMessage || 'unprintable value thrown' };
  }
}

/** The first frame of a stack ("at f (app.js:1:2)" or "f@app.js:1:2"), for telling identical errors apart. */
export function firstFrame(stack: unknown): string {
  const m = typeof stack === 'string' ? /^\s*(at .*|.*@.*)$/m.exec(stack) : null;
  return m ? m[1] : '';
}
