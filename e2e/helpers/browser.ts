import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (scripts/ensure-chromium.sh installs it); never a Playwright-downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** The stand-in server of a browser test listening on a free loopback port, and Chromium: its origin and the browser. */
export async function listenAndLaunch(server: Server): Promise<{ origin: string; browser: Browser }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, browser: await launchChromium() };
}

/** Closes what listenAndLaunch started (either may be missing when the set-up failed). */
export async function closeBoth(browser: Browser | undefined, server: Server | undefined): Promise<void> {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
}
