/**
 * The live floor against the built app, the built-in PBX simulator and its bot agents: scope per
 * role, patches moving tiles, timers ticking from the shared server clock, 403 for agents.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoAccount as demo, listenToTalkingAgent, login, open, openFloor, useBrowser } from './browser';

/** The seeded demo agents sit on PJSIP/1001…1020; other tests may add agents of their own. */
const DEMO_TILE = '[data-agent-id][data-endpoint^="PJSIP/10"]';

describe.sequential('the live floor in Chromium', () => {
	const { page, newPage } = useBrowser();

	async function demoTiles(p: Page): Promise<string[]> {
		return p.$$eval(DEMO_TILE, (tiles) => tiles.map((t) => t.getAttribute('data-endpoint') ?? ''));
	}

	it('shows a supervisor only their team: 10 of the 20 demo agents', async () => {
		const p = page();
		await login(p, demo('supervisor', 0));
		await openFloor(p);
		const mine = await demoTiles(p);
		expect(mine).toHaveLength(10);
		for (const attr of ['data-agent-id', 'data-state']) {
			const values = await p.$$eval(DEMO_TILE, (tiles, a) => tiles.map((t) => t.getAttribute(a)), attr);
			expect(values.every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
		}

		// the other supervisor sees the other ten
		const other = await newPage();
		await login(other, demo('supervisor', 1));
		await openFloor(other);
		const theirs = await demoTiles(other);
		expect(theirs).toHaveLength(10);
		expect(new Set([...mine, ...theirs]).size).toBe(20);
	});

	it('moves tiles as the bots dial, and ticks timers from the shared clock', async () => {
		const p = page();
		await login(p, demo('supervisor', 0));
		await openFloor(p);

		// Count every data-state change the patches make, transient ones included.
		await p.evaluate(() => {
			const w = window as unknown as { __stateChanges: number };
			w.__stateChanges = 0;
			new MutationObserver((records) => {
				w.__stateChanges += records.filter((r) => r.attributeName === 'data-state').length;
			}).observe(document.querySelector('[data-testid=floor]')!, {
				subtree: true,
				attributes: true,
				attributeFilter: ['data-state']
			});
		});

		type Reading = { id: string; state: string; seconds: number; text: string };
		const read = () =>
			p.$$eval('[data-agent-id]', (tiles) =>
				tiles.map((t) => {
					const text = t.querySelector('[data-testid=tile-timer]')?.textContent?.trim() ?? '';
					const seconds = text.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
					return {
						id: t.getAttribute('data-agent-id')!,
						state: t.getAttribute('data-state')!,
						seconds,
						text
					};
				})
			);
		const before: Reading[] = await read();
		for (const r of before) expect(r.text).toMatch(/^\d+:\d{2}(:\d{2})?$/);
		await p.waitForTimeout(2_200);
		const after = new Map((await read()).map((r) => [r.id, r]));
		const ticked = before.filter((b) => {
			const a = after.get(b.id);
			return a && a.state === b.state && a.seconds - b.seconds >= 1 && a.seconds - b.seconds <= 4;
		});
		expect(ticked.length).toBeGreaterThan(0);

		await p.waitForFunction(
			() => (window as unknown as { __stateChanges: number }).__stateChanges > 0,
			null,
			{ timeout: 20_000 }
		);
		await expect(
			p.evaluate(() => (window as unknown as { __stateChanges: number }).__stateChanges)
		).resolves.toBeGreaterThan(0);
	});

	it('shows a manager all 20 demo agents', async () => {
		const p = page();
		await login(p, demo('manager'));
		await openFloor(p);
		await expect(demoTiles(p)).resolves.toHaveLength(20);
		// the summary counts what the wall shows
		const { counted, tiles } = await p.evaluate(() => ({
			counted: [...document.querySelectorAll('[data-testid=state-counts] [data-count]')].reduce(
				(n, c) => n + Number(c.getAttribute('data-count')),
				0
			),
			tiles: document.querySelectorAll('[data-agent-id]').length
		}));
		expect(counted).toBe(tiles);
		// a card per active demo project: dials, connects and meetings today against its targets
		await p.waitForFunction(() => document.querySelectorAll('[data-testid=project-summary]').length === 2, null, { timeout: 10_000 });
		for (const text of await p.locator('[data-testid=project-dials]').allTextContents())
			expect(text).toMatch(/^\d[\d\s,.\u202f]* \/ [1-9][\d\s,.\u202f]* dials · \d[\d\s,.\u202f]* connects$/);

		// search narrows the wall by name or endpoint, the state chips filter it
		await p.fill('[data-testid=floor-search]', 'PJSIP/1007');
		await p.waitForFunction(() => document.querySelectorAll('[data-agent-id]').length === 1);
		await expect(p.locator('[data-agent-id]').getAttribute('data-endpoint')).resolves.toBe('PJSIP/1007');
		await p.fill('[data-testid=floor-search]', '');
		await p.waitForFunction((n) => document.querySelectorAll('[data-agent-id]').length === n, tiles);
		await p.selectOption('[data-testid=floor-state]', 'idle');
		await p.waitForFunction(() =>
			[...document.querySelectorAll('[data-agent-id]')].every((t) => t.getAttribute('data-state') === 'idle')
		);
	});

	it('listens to a talking agent from the panel, shows the badge, stops; TV mode renders', async () => {
		const p = page();
		await login(p, demo('supervisor', 0));
		await openFloor(p);

		// Enter on a focused tile opens the same panel a click does
		const agentId = await listenToTalkingAgent(p, DEMO_TILE, { openWith: 'enter' });
		const tile = `[data-agent-id="${agentId}"]`;
		await p.waitForSelector(`${tile}[data-monitored] .badge-monitor[data-mode=listen]`);
		const badge = await p.locator(`${tile} .badge-monitor`).textContent();
		expect(badge?.trim()).toMatch(/\(listen\)$/);
		expect(badge?.trim().length).toBeGreaterThan('(listen)'.length);

		await p.click('[data-testid=monitor-stop]');
		await p.waitForSelector(`${tile}:not([data-monitored])`, { timeout: 10_000 });
		await p.waitForSelector('[data-testid=agent-panel] [data-testid=monitor-listen]');
		await expect(p.locator('[data-testid=monitor-error]').count()).resolves.toBe(0);

		// TV mode, linked from the floor: tiles, no site header
		await p.keyboard.press('Escape');
		await p.waitForSelector('[data-testid=agent-panel]', { state: 'detached' });
		await Promise.all([p.waitForURL('**/floor/tv'), p.click('[data-testid=floor-tv-link]')]);
		await p.waitForSelector('[data-testid=floor-tv][data-floor-status=live]', { timeout: 15_000 });
		await p.waitForSelector('[data-testid=floor-tv] [data-agent-id]', { timeout: 15_000 });
		await expect(p.locator('[data-testid=floor-tv] [data-agent-id]').count()).resolves.toBeGreaterThan(0);
		await expect(p.locator('[data-testid=floor-tv] [data-testid=state-counts]').count()).resolves.toBe(1);
	});

	it('answers 403 when an agent opens /floor', async () => {
		const p = page();
		await login(p, demo('agent'));
		const response = await open(p, '/floor');
		expect(response?.status()).toBe(403);
		await expect(p.getByTestId('error-page').getAttribute('data-status')).resolves.toBe('403');
	});
});
