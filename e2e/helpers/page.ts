import type { BrowserContext, Page } from 'playwright-core';
import { waitFor } from './wait.js';

/** What the demo page exposes as `window.telemetry` (the object `Isotel.init` returned), as far as tests use it. */
interface PageTelemetry {
  logger: { info(message: unknown, attributes?: Record<string, unknown>): void };
  flush(): Promise<{ done: boolean; queued: number }>;
  health(): { queued: number; inFlight: number; delivered: number; beaconed: number; dropped: { total: number; reasons: Record<string, number> }; lastError?: string };
}
declare global {
  interface Window {
    telemetry?: PageTelemetry;
  }
}

export type Health = ReturnType<PageTelemetry['health']>;

/** Uncaught page errors of every page opened through `openDemo`, for the tests to assert there are none. */
export const pageErrors: string[] = [];

/** Opens the demo page in `context` and waits until the SDK is initialised. */
export async function openDemo(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  await page.goto(`${url}/`);
  await page.waitForFunction(() => window.telemetry !== undefined, undefined, { timeout: 15_000 });
  return page;
}

export function health(page: Page): Promise<Health> {
  return page.evaluate(() => (window.telemetry as PageTelemetry).health());
}

/** Waits until this page has nothing queued or in flight (what it logged at load is delivered). */
export async function waitIdle(page: Page, timeoutMs = 20_000): Promise<Health> {
  return waitFor(
    'the page to have sent everything it queued',
    async () => {
      const h = await health(page);
      return h.queued === 0 && h.inFlight === 0 ? h : undefined;
    },
    { timeoutMs },
  );
}

/** `count` log calls, each with `{ e2e_case, e2e_seq }` attributes (seq from `first`), in one synchronous loop. */
export async function logMarked(page: Page, caseId: string, first: number, count: number): Promise<void> {
  await page.evaluate(
    ({ caseId, first, count }) => {
      const logger = (window.telemetry as PageTelemetry).logger;
      for (let i = first; i < first + count; i++) logger.info(`e2e record ${i} of ${caseId}`, { e2e_case: caseId, e2e_seq: i });
    },
    { caseId, first, count },
  );
}

/** Clicks "Calculate" and returns the trace id the page shows for the API call (from its Server-Timing). */
export async function calculate(page: Page): Promise<string> {
  await page.fill('#base', '100');
  await page.fill('#discount', '0.15');
  await page.click('#calculate');
  await page.waitForFunction(() => document.getElementById('result')?.textContent === '85', undefined, { timeout: 15_000 });
  return lastTraceId(page);
}

/** The trace id of the page's last API call, from its "last trace" link to the explorer (`/ui/#/trace/{id}`). */
export async function lastTraceId(page: Page): Promise<string> {
  const id = await page.waitForFunction(
    () => /^\/ui\/#\/trace\/([0-9a-f]{32})$/.exec(document.getElementById('last-trace')?.getAttribute('href') ?? '')?.[1] ?? false,
    undefined,
    { timeout: 15_000 },
  );
  return String(await id.jsonValue());
}
