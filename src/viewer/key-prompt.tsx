import { useState } from 'preact/hooks';

/** Shown when the API answers 401: the read key, pasted once, kept for this tab (read-key.ts). */
export function KeyPrompt({ onKey, refused }: { onKey(key: string): void; refused: boolean }) {
  const [key, setKey] = useState('');
  return (
    <form
      class="key-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (key.trim() !== '') onKey(key.trim());
      }}
    >
      <p role="alert">
        {refused ? 'The server refused that read key: paste the right one.' : 'This server requires a read key (ingest.read_key).'} It is kept in this tab only.
      </p>
      <label>
        Read key <input type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
      </label>
      <button type="submit">Use key</button>
    </form>
  );
}
