import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { WriterThreadData } from './protocol.js';

export type WriterTarget = Omit<WriterThreadData, 'port' | 'isotelFileWriter'>;

export interface WriterThread {
  worker: Worker;
  /** The logger's end of the channel to the thread (chunks out, acknowledgements in). */
  port: MessagePort;
}

/**
 * The thread's module: the built one beside this bundle (.js or .cjs), or from the TypeScript sources (tests)
 * a bootstrap that loads worker.ts through tsx (as the ingest's dispatch-thread.ts does).
 */
export function writerThreadScript(): URL {
  const here = typeof __filename === 'string' ? pathToFileURL(__filename) : new URL(import.meta.url);
  const ext = /\.(c?js|m?ts)$/.exec(here.pathname)?.[1];
  const name = ext === 'ts' || ext === 'mts' ? 'worker.dev.mjs' : ext === 'cjs' ? 'file-writer-worker.cjs' : 'file-writer-worker.js';
  return new URL(`./${name}`, here);
}

/** Starts a file writer thread; throws when its module is missing (a bundle that left it out). */
export function spawnWriterThread(target: WriterTarget): WriterThread {
  const script = writerThreadScript();
  if (!existsSync(fileURLToPath(script))) throw new Error(`${fileURLToPath(script)} is missing`);
  const { port1, port2 } = new MessageChannel();
  const workerData: WriterThreadData = { ...target, isotelFileWriter: true, port: port2 };
  const worker = new Worker(script, { workerData, transferList: [port2] });
  return { worker, port: port1 };
}
