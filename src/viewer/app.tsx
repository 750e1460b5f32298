import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { ApiContext } from './context.js';
import { KeyPrompt } from './key-prompt.js';
import { LogsPage } from './logs-page.js';
import type { KeyStore } from './read-key.js';
import { parseRoute } from './route.js';
import { SearchPage } from './search-page.js';
import { TracePage } from './trace-page.js';

/** The explorer: a header, the read-key prompt when the API asks for one, and the page the hash names. */
export function App({ api, keys }: { api: Api; keys: KeyStore }) {
  const [hash, setHash] = useState(location.hash);
  const [needKey, setNeedKey] = useState(false);
  const [keyVersion, setKeyVersion] = useState(0);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const context = useMemo(() => ({ api, keyVersion, unauthorized: () => setNeedKey(true) }), [api, keyVersion]);
  const route = parseRoute(hash);
  const onKey = (key: string) => {
    keys.set(key);
    setNeedKey(false);
    setKeyVersion((v) => v + 1);
  };
  return (
    <ApiContext.Provider value={context}>
      <header class="top">
        <span class="brand">isotel explorer</span>
        <nav aria-label="Pages">
          <a href="#/search" aria-current={route.page === 'search' ? 'page' : undefined}>Traces</a>
          <a href="#/logs" aria-current={route.page === 'logs' ? 'page' : undefined}>Logs</a>
        </nav>
      </header>
      {needKey && <KeyPrompt onKey={onKey} refused={keyVersion > 0} />}
      <main>
        {route.page === 'trace' ? (
          <TracePage key={route.traceID} traceID={route.traceID} initialSpan={route.span} />
        ) : route.page === 'logs' ? (
          <LogsPage query={route.query} />
        ) : (
          <SearchPage query={route.query} />
        )}
      </main>
    </ApiContext.Provider>
  );
}
