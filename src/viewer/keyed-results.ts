import { useRef, useState } from 'preact/hooks';

/**
 * A page's results, kept with the query they answer. A response to an earlier query (the hash changed while it was
 * on its way) is dropped, and until the current query has results the page renders `pending`, never the last
 * query's list (a hash change keeps the page component and its state).
 */
export function useKeyedResults<T>(key: string, pending: T): [T, (forKey: string, value: T) => void] {
  const latest = useRef(key);
  latest.current = key;
  const [state, setState] = useState<{ key: string; value: T }>({ key, value: pending });
  const set = (forKey: string, value: T) => {
    if (latest.current === forKey) setState({ key: forKey, value });
  };
  return [state.key === key ? state.value : pending, set];
}
