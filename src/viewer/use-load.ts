import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { useApi } from './context.js';
import type { Api } from './api.js';

export type Load<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; error: string };

/**
 * Runs an API call when its key changes (and when a read key is entered); an answer that arrives after the
 * key moved on is dropped. A 401 asks the app for the read key.
 */
export function useLoad<T>(key: string, call: (api: Api) => Promise<T>): Load<T> {
  const { api, unauthorized, keyVersion } = useApi();
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLoad({ state: 'loading' });
    call(api).then(
      (value) => current && setLoad({ state: 'done', value }),
      (err: unknown) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 401) unauthorized();
        setLoad({ state: 'failed', error: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [key, keyVersion]);
  return load;
}
