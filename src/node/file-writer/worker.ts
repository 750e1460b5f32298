import { backoffDelay } from '../../shared/backoff.js';
import { isMainThread, workerData } from 'node:worker_threads';
import { RotatingFile } from '../backends/filesystem/rotating-file.js';
import { logLineId, spanLineId } from '../backends/filesystem/json-lines.js';
import { metricLineId } from '../backends/filesystem/metric-lines.js';
import { errorMessage } from '../../shared/result.js';
import { isToWriter, type FileKind, type FromWriter, type ToWriter, type WriterThreadData } from './protocol.js';

type WriteMessage = Extract<ToWriter, { type: 'write' }>;

/**
 * The file writer thread: appends the chunks it is sent, in order, through the same RotatingFile as the
 * in-process channel (whole-line O_APPEND writes, rotation under the lock directory, inode following), so
 * its files are identical. A failing write is retried with backoff, in order, like file-channel.ts; only
 * after `close`, a chunk that fails more than three times is dropped (and the logger counts it). The files
 * skip lines already written (replay-guard.ts): a retried chunk adds only what the failed write did not, and a
 * thread started again after one died skips what the dead one wrote of the chunks it is given again.
 */
export function runWriter(data: WriterThreadData): void {
  const { port } = data;
  const rotation = { ...data.rotation, blocking: true };
  const files: Record<FileKind, RotatingFile> = {
    logs: new RotatingFile(data.logFile, rotation, logLineId),
    spans: new RotatingFile(data.spansFile, rotation, spanLineId),
    metrics: new RotatingFile(data.metricsFile, rotation, metricLineId),
  };
  const queue: WriteMessage[] = [];
  let closing = false;
  let closed = false;
  let running = false;
  let failures = 0;
  const send = (m: FromWriter) => port.postMessage(m);

  const writeOne = async (m: WriteMessage): Promise<boolean> => {
    const chunk = Buffer.from(m.buf, 0, m.len);
    for (;;) {
      try {
        await files[m.kind].appendChunk(chunk);
        failures = 0;
        return true;
      } catch (err) {
        failures++;
        send({ type: 'failing', reason: `filesystem backend: ${errorMessage(err)}` });
        if (closing && failures > 3) return false;
        await delay(backoffDelay(failures - 1, 1000, 100, 30_000));
      }
    }
  };

  const run = async () => {
    running = true;
    while (queue.length > 0) {
      const m = queue[0];
      const ok = await writeOne(m);
      queue.shift();
      send({ type: 'written', seq: m.seq, dropped: !ok });
    }
    running = false;
    if (closing && !closed) {
      closed = true;
      await Promise.all([files.logs.close(), files.spans.close(), files.metrics.close()]).catch((err: unknown) => {
        send({ type: 'failing', reason: `filesystem backend: close: ${errorMessage(err)}` });
      });
      send({ type: 'closed' });
      port.close();
    }
  };

  port.on('message', (m: unknown) => {
    if (!isToWriter(m) || closing) return;
    if (m.type === 'close') closing = true;
    else queue.push(m);
    if (!running) void run();
  });
  send({ type: 'ready' });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

if (!isMainThread && (workerData as { isotelFileWriter?: unknown } | null)?.isotelFileWriter === true) {
  runWriter(workerData as WriterThreadData);
}
