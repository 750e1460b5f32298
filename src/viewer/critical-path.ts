/**
 * The critical path of a trace: from the root, repeatedly the child that ends last (the one the parent waited
 * for longest). A tie goes to the child that started later, then to the lower span id, so the path is the same
 * whatever order the spans came in.
 */
export interface PathSpan {
  spanID: string;
  parentID?: string;
  startTime: number;
  duration: number;
}

export function criticalPath(spans: readonly PathSpan[], rootID: string): string[] {
  const children = new Map<string, PathSpan[]>();
  for (const s of spans) {
    if (s.parentID === undefined) continue;
    const list = children.get(s.parentID) ?? [];
    list.push(s);
    children.set(s.parentID, list);
  }
  const path: string[] = [];
  const seen = new Set<string>();
  let current: string | undefined = rootID;
  while (current !== undefined && !seen.has(current)) {
    seen.add(current);
    path.push(current);
    current = lastToEnd(children.get(current) ?? [])?.spanID;
  }
  return path;
}

function lastToEnd(spans: readonly PathSpan[]): PathSpan | undefined {
  let best: PathSpan | undefined;
  for (const s of spans) {
    if (best === undefined || later(s, best)) best = s;
  }
  return best;
}

function later(a: PathSpan, b: PathSpan): boolean {
  const ea = a.startTime + a.duration;
  const eb = b.startTime + b.duration;
  if (ea !== eb) return ea > eb;
  if (a.startTime !== b.startTime) return a.startTime > b.startTime;
  return a.spanID < b.spanID;
}
