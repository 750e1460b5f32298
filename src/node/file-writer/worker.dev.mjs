// The file writer thread from source (tests run src/ through vitest or tsx; the build has file-writer-worker.js):
// a worker thread does not inherit the parent's TypeScript loader, so this registers tsx's first.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
