/**
 * Takes the SDK's own stack frames out of the errors it captures, so that the app's frame is the culprit
 * (the first frame, and `code.file.path`/`code.line.number`/`code.column.number`). The SDK's frames sit on
 * top of an app's error when the app misuses an API the SDK wraps (an XMLHttpRequest sent before `open`:
 * the browser throws from inside the SDK's `send`), and below it when the SDK calls the app (zone.js, in
 * the zone build, under every callback). Which frames are the SDK's: those in the SDK's own file, which
 * only the script-tag builds know (global.ts: their file holds nothing else; bundled into an app, the
 * SDK's code shares the app's file and its frames stay), and zone.js's, by name, in the zone entry.
 */
import type { LogRecord } from '../../shared/model.js';
import type { Features } from '../initialize.js';

/** `https://host/app.js:12:5` in a frame: file, line, column. */
const POSITION = /((?:https?|file):\/\/[^\s()]+?):(\d+):(\d+)/;

/** The URL of the file the caller's code is in (the first frame of a fresh stack), if a stack names one. */
export function ownFile(stack: unknown): string | undefined {
  return POSITION.exec(String(stack))?.[1];
}

/**
 * `isOwn` says whether a stack line is one of the SDK's frames. Runs inside the logger's guard (level-logger.ts):
 * whatever it might throw is the SDK's, and reported there.
 */
export function dropOwnFrames(record: LogRecord, isOwn: (line: string) => boolean): LogRecord {
  const a = record.attributes;
  const stack = a?.['exception.stacktrace'];
  if (typeof stack !== 'string') return record;
  const lines = stack.split('\n').filter((line) => !isOwn(line));
  a['exception.stacktrace'] = lines.join('\n');
  const at = typeof a['code.file.path'] === 'string' && isOwn(`${a['code.file.path']}:${a['code.line.number']}:${a['code.column.number']}`);
  const first = at && lines.map((line) => POSITION.exec(line)).find(Boolean);
  if (first) {
    a['code.file.path'] = first[1];
    a['code.line.number'] = Number(first[2]);
    a['code.column.number'] = Number(first[3]);
  }
  return record;
}

/** `features` whose log records (captured errors among them) lose the frames `isOwn` names. */
export function withoutFrames(features: Features, isOwn: (line: string) => boolean): Features {
  return { ...features, createLogger: (ctx, min, emit) => features.createLogger(ctx, min, (build) => emit(() => dropOwnFrames(build(), isOwn))) };
}

/**
 * `features` whose records lose the frames in `file()` (the SDK's own file; none: records unchanged), asked
 * once, when the first record with a stack is built. Not at start-up: the script-tag builds find their file
 * with `new Error().stack`, and a stack read in the script's top level made V8 collect the source positions
 * of that whole top level: 47 ms of the full build's 54 ms evaluation with a 4x CPU slowdown (a probe timing
 * each bundled module's top level in Chromium).
 */
export function ownFrames(features: Features, file: () => string | undefined): Features {
  let own: string | undefined | null = null;
  return withoutFrames(features, (line) => {
    if (own === null) own = file() || undefined;
    return own !== undefined && line.includes(`${own}:`);
  });
}
