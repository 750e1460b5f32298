// The page's metrics (isotel/browser/metrics): a counter of button clicks, queued every 5 s through the same
// write-ahead queue as the logs, to the ingest's /v1/metrics (delta temporality). app.js set window.telemetry.
import { createMeter } from '/isotel-metrics.js';

const meter = createMeter(window.telemetry, { exportIntervalMs: 5000 });
const clicks = meter.counter('ui.clicks', { unit: '{click}', description: 'Clicks on the demo page buttons' });
document.addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest('button') : null;
  if (button) clicks.add(1, { button: button.id || 'unnamed' });
});
window.meter = meter;
