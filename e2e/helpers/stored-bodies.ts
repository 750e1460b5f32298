/** Bodies of the log records in the page's IndexedDB queue (runs in the page). */
export function storedBodies(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('isotel');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('queue').objectStore('queue').getAll();
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        open.result.close();
        type Entry = { kind?: string; record?: { body?: unknown } };
        // A value is a segment ([key, entry] pairs, queue/idb-store.ts) or, in the earlier layout, one entry.
        const entries = (req.result as Array<Entry | Array<[string, Entry]>>).flatMap((v) => (Array.isArray(v) ? v.map((kv) => kv[1]) : [v]));
        resolve(entries.filter((e) => e.kind === 'log').map((e) => String(e.record?.body)));
      };
    };
  });
}
