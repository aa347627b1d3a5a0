/**
 * Inbound against the built app and its simulator: a manager gives an agent the Support skill on
 * /inbound, the PBX puts the agent in the support queue (shown in the board's agent panel from
 * QueueMember events), a supervisor takes the agent out of sales from the board, and the demo's
 * inbound callers move the queue's service-level counters on the board and in the daily table.
 */
import { describe, expect, it } from 'vitest';
import { demoAccount as demo, login, open, useBrowser } from './browser';

describe.sequential('inbound queues in Chromium', () => {
	const { page } = useBrowser();

	it('a skill given on /inbound puts the agent in the queue on the PBX; an override from the board wins until back to skills', async () => {
		const manager = page();
		await login(manager, demo('manager'));
		expect((await open(manager, '/inbound'))?.status()).toBe(200);
		// an agent without Support (no level in the Support column)
		const supportCol = await manager.$$eval('table.levels thead th', (ths) => ths.findIndex((th) => th.textContent?.trim() === 'Support'));
		expect(supportCol).toBeGreaterThan(0);
		// inputs carry their value as a property: find the row in the page
		const rowIndex = await manager.$$eval(
			'table.levels tbody tr',
			(rows, col) => rows.findIndex((r) => (r.querySelector<HTMLInputElement>(`td:nth-child(${col + 1}) input`)?.value ?? 'x') === ''),
			supportCol
		);
		expect(rowIndex).toBeGreaterThanOrEqual(0);
		const row = manager.locator('table.levels tbody tr').nth(rowIndex);
		const endpoint = (await row.locator('td:first-child .hint').textContent())!.trim();
		await row.locator(`td:nth-child(${supportCol + 1}) input`).fill('8');
		await row.getByRole('button').click();
		await manager.waitForSelector('table.levels .ok');

		// on the board (the manager sees every team) the membership change comes from the PBX
		const sup = manager;
		await open(sup, '/floor');
		await sup.waitForSelector('[data-testid=floor][data-floor-status=live]', { timeout: 15_000 });
		await sup.click(`[data-endpoint="${endpoint}"]`);
		await sup.waitForSelector('[data-testid=agent-queues] li[data-queue=support][data-member=true]', { timeout: 15_000 });

		await sup.click('[data-testid=agent-queues] li[data-queue=sales] button:has-text("Remove")');
		await sup.waitForSelector('[data-testid=agent-queues] li[data-queue=sales][data-member=false]', { timeout: 15_000 });
		await sup.click('[data-testid=agent-queues] li[data-queue=sales] button:has-text("Back to skills")');
		await sup.waitForSelector('[data-testid=agent-queues] li[data-queue=sales][data-member=true]', { timeout: 15_000 });
	});

	it('demo callers queue up and get answered: the board counts them and the daily table agrees', async () => {
		const sup = page();
		await login(sup, demo('manager'));
		await open(sup, '/floor');
		await sup.waitForSelector('[data-testid=floor][data-floor-status=live]', { timeout: 15_000 });
		// the simulator's bots call in every ~25 s on average: wait for an answered caller
		const answered = await sup.waitForFunction(
			() => {
				const counts = [...document.querySelectorAll('[data-testid=queue-sl]')].map((e) => Number(e.getAttribute('data-answered')));
				const total = counts.reduce((a, b) => a + b, 0);
				return total > 0 ? total : false;
			},
			undefined,
			{ timeout: 50_000, polling: 500 }
		);
		expect(Number(await answered.jsonValue())).toBeGreaterThan(0);

		expect((await open(sup, '/floor/service-level'))?.status()).toBe(200);
		const offered = await sup.$$eval('[data-testid=service-level] tbody tr td:nth-child(2)', (tds) =>
			tds.map((td) => Number(td.textContent))
		);
		expect(offered.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
	});
});
