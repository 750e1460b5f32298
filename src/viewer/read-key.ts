/**
 * The read key (`ingest.read_key`) the user pasted: kept in sessionStorage (gone when the tab closes, never
 * in a URL), sent as `x-isotel-read-key` on every API call. The storage is a parameter (tests pass their own).
 */
const ITEM = 'isotel.readKey';

export interface KeyStore {
  get(): string | undefined;
  set(key: string): void;
  clear(): void;
}

export function sessionKeyStore(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = globalThis.sessionStorage): KeyStore {
  return {
    get: () => storage?.getItem(ITEM) ?? undefined,
    set: (key) => storage?.setItem(ITEM, key),
    clear: () => storage?.removeItem(ITEM),
  };
}
