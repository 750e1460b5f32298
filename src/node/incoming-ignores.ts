/**
 * Paths a middleware was told to serve untraced (`ignorePaths` of httpMiddleware / expressMiddleware /
 * fastifyPlugin). With the http instrumentation on, the server span starts before any middleware runs, so the
 * instrumentation's ignore hook asks here too (beside logger.tracing.ignore_incoming_paths). Process-wide like
 * the instrumentation's patch itself; a middleware lives as long as its server, so entries are not removed.
 */
const predicates: Array<(path: string) => boolean> = [];

export function addIncomingIgnore(isIgnored: (path: string) => boolean): void {
  predicates.push(isIgnored);
}

export function isIncomingIgnored(path: string): boolean {
  for (const p of predicates) if (p(path)) return true;
  return false;
}
