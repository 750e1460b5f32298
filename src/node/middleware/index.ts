export { httpMiddleware, instrumentRequest } from './http.js';
export type { HttpListener, RequestTrace, RequestHints } from './http.js';
export { expressMiddleware } from './express.js';
export type { ExpressMiddleware, ExpressRequestLike, ExpressResponseLike } from './express.js';
export { fastifyPlugin } from './fastify.js';
export type { FastifyPlugin, FastifyInstanceLike, FastifyRequestLike, FastifyReplyLike, FastifyDone } from './fastify.js';
export type { HttpInstrumentationOptions } from './options.js';
