import { LOOKBACKS } from './format.js';

interface Props {
  lookback: string;
  from: string;
  to: string;
  /** Offer "Any time" (the logs search: no time bound). */
  anyTime?: boolean;
  onChange(field: 'lookback' | 'from' | 'to', value: string): void;
}

/** The time range of a search: a preset look-back, or a custom range in UTC. */
export function TimeRangeFields({ lookback, from, to, anyTime, onChange }: Props) {
  const set = (f: 'lookback' | 'from' | 'to') => (e: { currentTarget: { value: string } }) => onChange(f, e.currentTarget.value);
  return (
    <>
      <label>
        Time range
        <select value={lookback} onChange={set('lookback')}>
          {LOOKBACKS.map(([id, label]) => <option value={id}>{label}</option>)}
          {anyTime && <option value="all">Any time</option>}
          <option value="custom">Custom range (UTC)</option>
        </select>
      </label>
      {lookback === 'custom' && (
        <div class="row">
          <label>
            From <input type="datetime-local" step={1} value={from} onInput={set('from')} />
          </label>
          <label>
            To <input type="datetime-local" step={1} value={to} onInput={set('to')} />
          </label>
        </div>
      )}
    </>
  );
}
