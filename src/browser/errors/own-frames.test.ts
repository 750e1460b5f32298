import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../shared/model.js';
import { dropOwnFrames, ownFile, ownFrames } from './own-frames.js';
import { liteFeatures } from '../features-lite.js';

const SDK = 'https://cdn.example/isotel.global.js?v=1';
const APP = 'https://shop.example/app.js';
/** An InvalidStateError the browser threw from inside the SDK's XMLHttpRequest.send, called by the app. */
const STACK = [
  "InvalidStateError: Failed to execute 'send' on 'XMLHttpRequest': The object's state must be OPENED.",
  `    at XMLHttpRequest.<anonymous> (${SDK}:1:20312)`,
  `    at XMLHttpRequest.o [as send] (${SDK}:1:19080)`,
  `    at order (${APP}:12:9)`,
  `    at HTMLButtonElement.<anonymous> (${APP}:30:3)`,
].join('\n');

const record = (attributes: Record<string, unknown>) => ({ attributes }) as unknown as LogRecord;

describe('own frames', () => {
  it("finds the file of the caller's code in a stack (Chromium and Firefox forms)", () => {
    expect(ownFile(`Error\n    at ${SDK}:1:55\n    at x (${APP}:2:3)`)).toBe(SDK);
    expect(ownFile(`@${SDK}:1:55\n`)).toBe(SDK);
    expect(ownFile('Error')).toBeUndefined();
    expect(ownFile(undefined)).toBeUndefined();
  });

  it("removes the SDK's frames and moves code.* from the SDK's file to the app's frame, the culprit", () => {
    const r = dropOwnFrames(
      record({ 'exception.stacktrace': STACK, 'code.file.path': SDK, 'code.line.number': 1, 'code.column.number': 20312 }),
      (line) => line.includes(`${SDK}:`),
    );
    expect(String(r.attributes!['exception.stacktrace']).split('\n')).toEqual([STACK.split('\n')[0], `    at order (${APP}:12:9)`, `    at HTMLButtonElement.<anonymous> (${APP}:30:3)`]);
    expect(r.attributes).toMatchObject({ 'code.file.path': APP, 'code.line.number': 12, 'code.column.number': 9 });
  });

  it("leaves code.* alone when it already names the app, and records without a stack as they are", () => {
    const r = dropOwnFrames(record({ 'exception.stacktrace': STACK, 'code.file.path': APP, 'code.line.number': 12 }), (line) => line.includes(SDK));
    expect(r.attributes).toMatchObject({ 'code.file.path': APP, 'code.line.number': 12 });
    const plain = record({ a: 1 });
    expect(dropOwnFrames(plain, () => true)).toEqual(record({ a: 1 }));
  });

  it('ownFrames: the records a build emits lose the frames of its file, asked for once, at the first stack', () => {
    let asked = 0;
    const file = (): string => (asked++, SDK);
    const emitted: LogRecord[] = [];
    const ctx = {
      resource: {}, scope: { name: 't' }, page: { annotate: () => undefined, url: () => undefined }, now: () => 0, recordId: () => 'id', diag: { warn() {}, error() {}, count() {} },
    } as unknown as Parameters<typeof liteFeatures.createLogger>[0];
    const { logger } = ownFrames(liteFeatures, file).createLogger(ctx, 'info', (build) => emitted.push(build()));
    logger.info('no stack');
    expect(asked).toBe(0);
    logger.error('boom', { 'exception.stacktrace': STACK });
    logger.error('again', { 'exception.stacktrace': STACK });
    expect(String(emitted[1].attributes?.['exception.stacktrace'])).not.toContain(SDK);
    expect(String(emitted[2].attributes?.['exception.stacktrace'])).not.toContain(SDK);
    expect(asked).toBe(1);
    // Without a file (a bundled build's SDK shares the app's file), the stack stays as it is.
    const kept: LogRecord[] = [];
    ownFrames(liteFeatures, () => undefined).createLogger(ctx, 'info', (build) => kept.push(build())).logger.error('boom', { 'exception.stacktrace': STACK });
    expect(kept[0].attributes?.['exception.stacktrace']).toBe(STACK);
  });
});
