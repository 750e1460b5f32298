
/** Which colour is which service (the bars read the same map), and the marks the waterfall uses. */
export function Legend({ services, colors }: { services: string[]; colors: Map<string, string> }) {
  return (
    <ul class="legend" aria-label="Legend">
      {services.map((s) => (
        <li>
          <span class="swatch" style={{ backgroundColor: colors.get(s) }} aria-hidden="true" />
          <span style={{ color: colors.get(s) }}>{s}</span>
        </li>
      ))}
      <li>
        <span class="swatch swatch-critical" aria-hidden="true" /> critical path
      </li>
      <li>
        <span class="swatch swatch-error" aria-hidden="true" /> error
      </li>
      <li>
        <span class="kind-badge kind-browser">browser</span> <span class="kind-badge kind-server">server</span> where the span was recorded
      </li>
      <li>
        <span class="log-dot" aria-hidden="true" /> log
      </li>
    </ul>
  );
}
