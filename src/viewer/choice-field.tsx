import type { Load } from './use-load.js';

interface Props {
  label: string;
  value: string;
  /** The first option's text; it stands for no choice (the empty value). */
  none: string;
  choices: Load<string[]>;
  onChange(value: string): void;
}

/** A select filled from the API (services, operations); while the list loads only `none` is offered. */
export function ChoiceField({ label, value, none, choices, onChange }: Props) {
  // The error stands outside the label, so that it is no part of the select's accessible name.
  return (
    <>
      <label>
        {label}
        <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">{none}</option>
          {choices.state === 'done' && choices.value.map((c) => <option value={c}>{c}</option>)}
        </select>
      </label>
      {choices.state === 'failed' && (
        <p role="alert" class="error-text">
          {label}: {choices.error}
        </p>
      )}
    </>
  );
}
