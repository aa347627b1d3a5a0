/**
 * Inbound against the built app and its simulator: a manager gives an agent the Support skill on
 * /inbound, the PBX puts the agent in the support queue (shown in the board's agent panel from
 * QueueMember events), a supervisor takes the agent out of sales from the board, and the demo's
 * inbound callers move the queue's service-level counters on the board and in the daily table.
 * Then a lead the agent just called calls back: the caller waits in `sales` (placed over the
 * simulator's AMI, SB_SIM_AMI_URL, held for that agent), the board counts them, the agent resumes
 * on /agent, the phone answers and the pop-up shows the lead's card.
 */
import { inject, describe, expect, it } from 'vitest';
import { first } from '../../realtime/ami/parser';
import { parseAmiUrls } from '../../realtime/ami/url';
import { AmiTestClient } from '../../realtime/simulator/test-client';
import { demoAccount as demo, login, open, useBrowser } from './browser';

describe.sequential('inbound queues in Chromium', () => {
	const { page, newPage } = useBrowser();

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

	it('a lead calling back waits in a queue, the board shows it, the agent on /agent answers and gets the lead’s card', async () => {
		// demo agents are PJSIP/1001… in the order the console lists them
		const nth = 11;
		const endpoint = `PJSIP/${1001 + nth}`;
		const agent = page();
		await login(agent, demo('agent', nth));
		await agent.waitForSelector('[data-testid=workstation]');
		await agent.waitForSelector('[data-testid=ws-next]:not([disabled])');
		await agent.keyboard.press('n');
		const card = agent.getByTestId('lead-card');
		await card.waitFor({ timeout: 10_000 });
		const company = ((await card.locator('h2').textContent()) ?? '').trim();
		const phone = ((await card.locator('ul.phones li span').first().textContent()) ?? '').trim();
		expect(company).not.toBe('');
		expect(phone).toMatch(/^\+\d+$/);

		// calling makes the agent a person on the simulator (no more a bot); 1 = no answer: a missed attempt
		await agent.waitForSelector('[data-testid=ws-dial]:not([disabled])', { timeout: 15_000 });
		await agent.keyboard.press('c');
		await agent.waitForSelector('[data-testid=ws-call][data-call-state=talking]', { timeout: 20_000 });
		await agent.keyboard.press('h');
		await agent.waitForSelector('[data-testid=ws-call][data-call-state=idle]', { timeout: 15_000 });
		await agent.keyboard.press('1');
		await agent.waitForSelector('[data-testid=ws-next]', { timeout: 10_000 });
		// paused, so the caller has to wait in the queue
		await agent.keyboard.press('p');
		await agent.keyboard.press('1');
		await agent.waitForSelector('[data-testid=ws-pause][data-paused=true]', { timeout: 15_000 });

		const board = await newPage();
		await login(board, demo('manager'));
		await open(board, '/floor');
		await board.waitForSelector('[data-testid=floor][data-floor-status=live]', { timeout: 15_000 });

		// the lead calls back: into sales, offered to this agent only, and talks 15 s once answered
		const link = parseAmiUrls(inject('e2e').simulatorAmiUrl)[0]!;
		const ami = await AmiTestClient.connect(link.port, link.host);
		try {
			expect(first(await ami.login(link.username, link.secret, 'off'), 'Response')).toBe('Success');
			const placed = await ami.action({
				Action: 'Originate',
				Channel: 'Local/sales@inbound',
				Application: 'Wait',
				Data: '600',
				CallerID: `"${company}" <${phone}>`,
				Variable: [`SIM_MEMBER=${endpoint}`, 'SIM_PATIENCE=600', 'SIM_TALK=15'],
				Async: 'true'
			});
			expect(first(placed, 'Response')).toBe('Success');
		} finally {
			ami.close();
		}
		await board.waitForSelector('li.queue[data-queue-name=sales]:not([data-waiting="0"])', { timeout: 15_000 });

		// back from the break: the queue rings the agent's phone, which answers
		await agent.keyboard.press('p');
		const popup = agent.getByTestId('caller-popup');
		await agent.waitForSelector('[data-testid=caller-popup][data-known=true]', { timeout: 30_000 });
		await expect(popup.getByTestId('caller-company').textContent()).resolves.toContain(company);
		await agent.waitForSelector('[data-testid=ws-tile][data-state=talking]', { timeout: 15_000 });
		// the caller hangs up: the agent is free again
		await agent.waitForSelector('[data-testid=ws-tile]:not([data-state=talking])', { timeout: 40_000 });
	});
});
