import { valueText } from './span-info.js';
import type { KeyValue } from './types.js';

/** Tags or fields as a two-column table; values are text (Preact escapes them), whatever they hold. */
export function KeyValueTable({ items, label }: { items: KeyValue[]; label: string }) {
  if (items.length === 0) return <p class="hint">none</p>;
  return (
    <table class="kv" aria-label={label}>
      <tbody>
        {items.map((kv) => (
          <tr>
            <th scope="row">{kv.key}</th>
            <td>{valueText(kv.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
