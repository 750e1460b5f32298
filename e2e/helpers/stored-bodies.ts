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
        resolve((req.result as Array<{ kind?: string; record?: { body?: unknown } }>).filter((e) => e.kind === 'log').map((e) => String(e.record?.body)));
      };
    };
  });
}
