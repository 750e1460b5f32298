import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api.js';

/** What every page reaches: the API, and how to say that it answered 401 (the app then asks for the key). */
export interface ApiContextValue {
  api: Api;
  unauthorized(): void;
  /** Bumped when a key is entered, so that pages load again. */
  keyVersion: number;
}

export const ApiContext = createContext<ApiContextValue | undefined>(undefined);

export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('useApi outside ApiContext');
  return value;
}
