/**
 * Headless Chromium (Debian's /usr/bin/chromium through playwright-core) for browser bench cases:
 * launch, log in through the real form or with a session cookie, open the live floor.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { CHROMIUM_ARGS, chromiumPath } from '../../chromium';

export { CHROMIUM_ARGS };

export function launchChromium(): Promise<Browser> {
	return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/**
 * A context for the app. tsx compiles bench files with esbuild's keepNames, which wraps named
 * inner functions in `__name(fn, 'name')`; functions handed to page.evaluate keep those calls, so
 * every page gets a no-op `__name`.
 */
export async function newContext(
	browser: Browser,
	baseURL: string,
	viewport = { width: 1400, height: 900 }
): Promise<BrowserContext> {
	const context = await browser.newContext({ baseURL, locale: 'en-US', viewport });
	await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
	return context;
}

/** Navigates and waits until the app has hydrated (typed input is not reset afterwards). */
export async function open(page: Page, url: string): Promise<void> {
	const response = await page.goto(url);
	if (!response || response.status() >= 400)
		throw new Error(`GET ${url}: ${response?.status() ?? 'no response'}`);
	await page.waitForSelector('html[data-hydrated=true]', { timeout: 30_000 });
}

/** Logs in through the /login form. */
export async function login(page: Page, account: { email: string; password: string }): Promise<void> {
	await open(page, '/login');
	await page.fill('#email', account.email);
	await page.fill('#password', account.password);
	await Promise.all([
		page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 }),
		page.click('main button[type=submit]')
	]);
}

/**
 * Opens /floor and waits for the live stream and at least `agents` agents on the floor (the
 * page's `data-agents`: the wall renders only the rows on screen, so tiles are not all in the DOM).
 */
export async function openFloor(page: Page, agents = 1, timeoutMs = 60_000): Promise<void> {
	await open(page, '/floor');
	await page.waitForSelector('[data-testid=floor][data-floor-status=live]', { timeout: timeoutMs });
	await page.waitForFunction(
		(n) => Number(document.querySelector('[data-testid=floor]')?.getAttribute('data-agents')) >= n,
		agents,
		{ timeout: timeoutMs }
	);
	await page.waitForSelector('[data-agent-id]', { timeout: timeoutMs });
}
