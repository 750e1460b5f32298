import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestHandler } from './create.js';

/**
 * Express: `app.use('/otel', expressIngest(handler))`. Express strips the mount path from req.url, so the
 * routes are `/otel/v1/logs` etc. Mount it before body parsers (express.json() would consume the body).
 */
export function expressIngest(handler: IngestHandler) {
  return (req: IncomingMessage, res: ServerResponse, _next: (err?: unknown) => void): void => {
    handler(req, res);
  };
}

interface FastifyLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(type: string, fn: (req: unknown, payload: unknown, done: (err: Error | null, body?: unknown) => void) => void): void;
  all(path: string, fn: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }) => void): void;
}

/**
 * Fastify: `app.register(fastifyIngest(handler), { prefix: '/otel' })`. Inside its own plugin scope it
 * leaves bodies unparsed and hands the raw request to the ingest (which reads, limits and decodes it).
 */
export function fastifyIngest(handler: IngestHandler) {
  const plugin = async (app: FastifyLike, opts: { prefix?: string }) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const prefix = opts.prefix ?? '';
    app.all('/*', (request, reply) => {
      reply.hijack();
      const raw = request.raw;
      if (prefix && raw.url?.startsWith(prefix)) raw.url = raw.url.slice(prefix.length) || '/';
      handler(raw, reply.raw);
    });
  };
  // Fastify encapsulation: the content-type parsers above stay inside this plugin.
  return plugin;
}
