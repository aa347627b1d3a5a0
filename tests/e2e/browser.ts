/**
 * One Chromium per e2e file (Debian's /usr/bin/chromium through playwright-core), a fresh context
 * per test, and a full-page screenshot in test-results/ when a test fails.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, inject, onTestFailed } from 'vitest';

import { CHROMIUM_ARGS, chromiumPath } from '../chromium';
import { serverLogPath } from '../built-server';

/** Navigates and waits until the app has hydrated, so typed input is not reset. */
export async function open(page: Page, url: string) {
	const response = await page.goto(url);
	await page.waitForSelector('html[data-hydrated=true]');
	return response;
}

/** Opens the wall-board and waits for the live stream and the first tiles. */
export async function openFloor(page: Page): Promise<void> {
	const response = await open(page, '/floor');
	expect(response?.status()).toBe(200);
	await page.waitForSelector('[data-testid=floor][data-floor-status=live]', { timeout: 15_000 });
	await page.waitForSelector('[data-agent-id]', { timeout: 15_000 });
}

/**
 * On the wall-board: opens the panel of a talking, unmonitored agent among `tiles` (a CSS
 * selector of tiles) and starts a silent listen; returns the agent's id once the panel shows the
 * session. A bot's call can end at any moment, and ChanSpy with it (option E), so it tries the
 * next talking agent up to `attempts` times. `openWith: 'enter'` opens the panel from a focused
 * tile with the keyboard instead of a click. `waitMs`: how long to wait for a talking tile — one
 * given bot can stay off calls for minutes (a pause is 30–180 s, and unanswered dials follow each
 * other), so a selector of a single tile needs longer than a selector of many.
 */
export async function listenToTalkingAgent(
	page: Page,
	tiles: string,
	{ attempts = 5, openWith = 'click', waitMs = 60_000 }: { attempts?: number; openWith?: 'click' | 'enter'; waitMs?: number } = {}
): Promise<string> {
	for (let attempt = 0; attempt < attempts; attempt++) {
		await page.keyboard.press('Escape');
		const tile = await page.waitForSelector(`${tiles}[data-state=talking]:not([data-monitored])`, {
			timeout: waitMs
		});
		const id = (await tile.getAttribute('data-agent-id'))!;
		if (openWith === 'enter') {
			await tile.focus();
			await page.keyboard.press('Enter');
		} else {
			await tile.click();
		}
		await page.waitForSelector(`[data-testid=agent-panel][data-agent-id="${id}"]`);
		await page.click('[data-testid=agent-panel] [data-testid=monitor-listen]');
		const started = await page
			.waitForSelector('[data-testid=panel-monitoring][data-mode=listen]', { timeout: 8_000 })
			.then(() => true)
			.catch(() => false);
		if (started) return id;
	}
	throw new Error(`no talking agent among ${tiles} could be listened to in ${attempts} attempts`);
}

/** Signs in through the real form and waits to leave /login. */
export async function login(page: Page, account: { email: string; password: string }) {
	await open(page, '/login');
	await page.fill('#email', account.email);
	await page.fill('#password', account.password);
	await Promise.all([
		page.waitForURL((u) => !u.pathname.startsWith('/login')),
		page.click('main button[type=submit]')
	]);
}

/** A demo account the server printed on its console (role, and which one of that role). */
export function demoAccount(role: string, nth = 0): { email: string; password: string; role: string } {
	const account = inject('e2e').demo.filter((d) => d.role === role)[nth];
	if (!account) throw new Error(`no demo ${role} #${nth} captured from the console`);
	return account;
}

export function useBrowser(): {
	page: () => Page;
	newPage: (locale?: string) => Promise<Page>;
	baseURL: string;
} {
	const ctx = inject('e2e');
	let browser: Browser;
	const contexts: BrowserContext[] = [];
	let current: Page | null = null;

	beforeAll(async () => {
		browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
	});
	afterAll(async () => {
		await browser?.close();
	});

	async function newPage(locale = 'en-US'): Promise<Page> {
		const context = await browser.newContext({
			baseURL: ctx.baseURL,
			locale,
			viewport: { width: 1400, height: 900 }
		});
		contexts.push(context);
		const page = await context.newPage();
		if (process.env.SB_E2E_DEBUG) {
			page.on('framenavigated', (f) => console.log('nav', f.url()));
			page.on(
				'response',
				(r) => !r.url().includes('/_app/') && console.log('resp', r.status(), r.request().method(), r.url())
			);
		}
		return page;
	}

	beforeEach(async (test) => {
		while (contexts.length) await contexts.pop()!.close();
		current = await newPage();
		onTestFailed(async () => {
			// the server's last words (warnings and errors: LOG_LEVEL=warn) explain most failures
			const log = serverLogPath(ctx.dataDir);
			const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-40).join('\n') : '(no log)';
			console.error(`--- server log tail (${test.task.name}) ---\n${tail}`);
			const dir = path.resolve('test-results');
			mkdirSync(dir, { recursive: true });
			const name = test.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
			for (const [i, c] of contexts.entries()) {
				for (const [j, p] of c.pages().entries()) {
					await p
						.screenshot({ path: path.join(dir, `${name}-${i}-${j}.png`), fullPage: true })
						.catch(() => {});
				}
			}
		});
	});

	return { page: () => current!, newPage, baseURL: ctx.baseURL };
}
