/**
 * The agent workstation against the built app and the built-in PBX simulator: a demo agent takes
 * the next lead with the keyboard, dials it (AMI Originate over TCP: the simulator rings the agent's
 * phone, then answers as the customer), hangs up, records the outcome with a hotkey and gets the
 * next lead; a callback needs its date and time. Two agents never get the same lead.
 * Then, at 1366×768: the layout fits, a call is three keys from Next to Next, the target rings move
 * and the floor's wrap-up ends with the outcome; the survey is answered during a call and exported;
 * a callback for tomorrow 10:00 comes back to its agent only then, on the server's test clock
 * (SB_TEST_CLOCK_FILE, tests/e2e/clock.ts), with the earlier call's recording on the timeline.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dialOutcome } from '../../realtime/simulator/model';
import { demoAccount as demo, login, open, openFloor, useBrowser } from './browser';
import { resetServerClock, setServerClock } from './clock';

async function company(p: Page): Promise<string> {
	return (await p.getByTestId('lead-card').locator('h2').textContent()) ?? '';
}

async function nextLead(p: Page): Promise<string> {
	await p.waitForSelector('[data-testid=ws-next]:not([disabled])');
	await p.keyboard.press('n');
	await p.waitForSelector('[data-testid=lead-card]', { timeout: 10_000 });
	return company(p);
}

/** The number the card will dial (the selected phone). */
async function selectedNumber(p: Page): Promise<string> {
	return (await p.locator('.phones input[name=phone]:checked + span').textContent()) ?? '';
}

describe.sequential('the agent workstation in Chromium', () => {
	const { page, newPage } = useBrowser();

	it('Next, Call, Hang up, a disposition hotkey, and the next lead — keyboard only', async () => {
		const p = page();
		await login(p, demo('agent', 2));
		expect(new URL(p.url()).pathname).toBe('/agent');
		await p.waitForSelector('[data-testid=workstation]');
		let first = await nextLead(p);
		expect(first).not.toBe('');
		await expect(p.getByTestId('ws-script').textContent()).resolves.toContain(first);

		// the hub is live once the agent's own tile has a state from the floor
		await p.waitForSelector('[data-testid=ws-dial]:not([disabled])', { timeout: 15_000 });
		// The demo base holds numbers the simulator fails on purpose (busy, no answer, congestion,
		// unallocated: dialOutcome). Such a dial is dispositioned by the server on its own and the
		// card goes; the agent takes the next lead, until one that answers.
		for (let tries = 0; dialOutcome(await selectedNumber(p)) !== 'answer'; tries++) {
			expect(tries).toBeLessThan(5);
			await p.keyboard.press('c');
			await p.waitForSelector('[data-testid=ws-auto]', { timeout: 30_000 });
			first = await nextLead(p);
			await p.waitForSelector('[data-testid=ws-dial]:not([disabled])', { timeout: 15_000 });
		}
		await p.keyboard.press('c');
		await p.waitForSelector(
			'[data-testid=ws-call][data-call-state=dialing], [data-testid=ws-call][data-call-state=talking]',
			{ timeout: 15_000 }
		);
		await p.waitForSelector('[data-testid=ws-call][data-call-state=talking]', { timeout: 20_000 });
		await p.waitForSelector('[data-testid=ws-tile][data-state=talking]');
		// the manager's wall-board shows the call on the agent's tile: the lead's company (commas read
		// as U+201A: Asterisk splits channel variables on commas), the project, calls in the last hour
		const board = await newPage();
		await login(board, demo('manager'));
		await openFloor(board);
		const shownCompany = first.replace(/,/g, '\u201a').trim();
		const tile = board.locator('[data-agent-id][data-state=talking]', {
			has: board.locator('.detail .text', { hasText: shownCompany })
		});
		await tile.waitFor({ timeout: 10_000 });
		await tile.locator('.detail .queue', { hasText: /\S/ }).waitFor({ timeout: 10_000 });
		await tile.getByTestId('tile-intensity').filter({ hasText: /^[1-9]\d*\/h$/ }).waitFor({ timeout: 10_000 });
		await board.close();
		await p.keyboard.press('h');
		await p.waitForSelector('[data-testid=ws-call][data-call-state=idle]', { timeout: 15_000 });

		// 5 = not interested (final): the lead is done, the next one comes with N
		await p.keyboard.press('5');
		await p.waitForSelector('[data-testid=ws-next]', { timeout: 10_000 });
		const second = await nextLead(p);
		expect(second).not.toBe(first);
		await expect(p.getByTestId('ws-history').textContent()).resolves.toBeTruthy();
	});

	it('a callback asks for its time, then frees the agent for the next lead', async () => {
		const p = page();
		await login(p, demo('agent', 2));
		// the lead taken at the end of the previous test is still this agent's claim
		await p.waitForSelector('[data-testid=lead-card]', { timeout: 10_000 });
		await p.keyboard.press('4');
		const when = p.getByTestId('ws-when');
		await when.waitFor();
		const tomorrow = new Date(Date.now() + 24 * 3600_000);
		const local = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}T10:00`;
		await when.fill(local);
		const callbackCompany = await company(p);
		await when.press('Enter');
		await p.waitForSelector('[data-testid=ws-next]', { timeout: 10_000 });
		expect(await p.getByTestId('lead-card').count()).toBe(0);
		// tomorrow's callback is not due: Next gives another lead
		expect(await nextLead(p)).not.toBe(callbackCompany);
	});

	it('never gives the same lead to two agents pressing Next together', async () => {
		const a = page();
		const b = await newPage();
		// agents 0 and 2 work on the same demo project (agents alternate between the two projects)
		await Promise.all([login(a, demo('agent', 0)), login(b, demo('agent', 4))]);
		await Promise.all([
			a.waitForSelector('[data-testid=workstation]'),
			b.waitForSelector('[data-testid=workstation]')
		]);
		const [ca, cb] = await Promise.all([nextLead(a), nextLead(b)]);
		expect(ca).not.toBe('');
		expect(cb).not.toBe(ca);
	});
});

describe.sequential('the agent workstation: keyboard, layout, survey, callback on the server clock', () => {
	const { page, newPage } = useBrowser();

	/**
	 * Signs the agent in and pauses them in the queues (P, 1): the simulator's customers call the
	 * sales queue, and a human's phone there answers them by itself; paused, the phone stays free
	 * for the calls the test places. The demo phone is still driven by a bot until the first call,
	 * so the tile may show the bot's call (which beats the pause) instead of "paused".
	 */
	async function signInPaused(p: Page, nth: number): Promise<void> {
		await login(p, demo('agent', nth));
		const tile = p.locator('[data-testid=ws-tile]:not([data-state=offline])');
		await tile.waitFor({ timeout: 15_000 });
		// P on a paused agent resumes: a bot may have paused this phone already
		if ((await tile.getAttribute('data-state')) === 'paused') return;
		await p.keyboard.press('p');
		await p.keyboard.press('1');
		await p.waitForSelector('[data-testid=ws-tile]:not([data-state=idle]):not([data-state=offline])', { timeout: 10_000 });
	}

	/** The floor's wrap-up (a 30 s timer) ends with the outcome, and the tile says so at once. */
	async function wrapupEnded(p: Page): Promise<void> {
		await p.waitForSelector('[data-testid=ws-tile]:not([data-state=wrapup])', { timeout: 10_000 });
	}

	async function ringValue(p: Page, key: string): Promise<number> {
		return Number(await p.getByTestId(`ws-target-${key}`).getAttribute('data-value'));
	}

	function ringAbove(p: Page, key: string, before: number) {
		return p.waitForFunction(
			([k, b]) => Number(document.querySelector(`[data-testid=ws-target-${k}]`)?.getAttribute('data-value')) > Number(b),
			[key, before] as const
		);
	}

	/** C, then the simulator answers as the customer */
	async function callAndTalk(p: Page): Promise<void> {
		await p.waitForSelector('[data-testid=ws-dial]:not([disabled])', { timeout: 15_000 });
		await p.keyboard.press('c');
		await p.waitForSelector('[data-testid=ws-call][data-call-state=talking]', { timeout: 30_000 });
	}

	async function layoutFits(p: Page, testIds: string[]): Promise<void> {
		const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
		expect(overflow).toBe(0);
		const viewport = p.viewportSize()!;
		for (const id of testIds) {
			const box = await p.locator(`[data-testid=${id}]`).first().boundingBox();
			expect(box, id).not.toBeNull();
			expect(box!.x, id).toBeGreaterThanOrEqual(0);
			expect(box!.x + box!.width, id).toBeLessThanOrEqual(viewport.width);
			expect(box!.y + box!.height, id).toBeLessThanOrEqual(viewport.height);
		}
	}

	it('at 1366×768: no horizontal scroll, the controls in view, three keys from Next to Next, rings move, wrap-up ends with the outcome', async () => {
		const p = page();
		await p.setViewportSize({ width: 1366, height: 768 });
		await signInPaused(p, 6);
		await layoutFits(p, ['ws-tile', 'ws-next', 'ws-target-dials']);

		await p.keyboard.press('n');
		await p.waitForSelector('[data-testid=lead-card]', { timeout: 10_000 });
		const first = await company(p);
		await layoutFits(p, ['ws-tile', 'ws-dial', 'ws-dispositions', 'ws-dispo-not_interested', 'ws-target-meetings']);
		const dials = await ringValue(p, 'dials');
		const contacts = await ringValue(p, 'contacts');

		const keys: string[] = [];
		const press = async (key: string) => {
			keys.push(key);
			await p.keyboard.press(key);
		};
		await p.waitForSelector('[data-testid=ws-dial]:not([disabled])', { timeout: 15_000 });
		await press('c');
		await p.waitForSelector('[data-testid=ws-call][data-call-state=talking]', { timeout: 30_000 });
		await layoutFits(p, ['ws-tile', 'ws-hangup', 'ws-dispo-not_interested']);
		await press('h');
		await p.waitForSelector('[data-testid=ws-tile][data-state=wrapup]', { timeout: 15_000 });
		// the rings move with the call, from the live floor
		await ringAbove(p, 'dials', dials);
		await ringAbove(p, 'contacts', contacts);
		await press('5');
		await p.waitForSelector('[data-testid=ws-next]', { timeout: 10_000 });
		await wrapupEnded(p);
		await p.keyboard.press('n');
		await p.waitForSelector('[data-testid=lead-card]', { timeout: 10_000 });
		expect(await company(p)).not.toBe(first);
		expect(keys).toEqual(['c', 'h', '5']);
	});

	it('shows the project survey during the call and saves the answers with it', async () => {
		const agent = page();
		await signInPaused(agent, 10);
		const projectId = await agent.getByTestId('ws-project').inputValue();

		const manager = await newPage();
		await login(manager, demo('manager'));
		await open(manager, `/projects/${projectId}/survey`);
		await manager.getByTestId('survey-add').click();
		const question = `Budget this year ${Date.now().toString(36)}?`;
		await manager.getByTestId('survey-question').last().locator('input').fill(question);
		await manager.getByTestId('survey-editor').locator('button[type=submit]').click();
		await manager.getByRole('status').waitFor();

		await open(agent, '/agent');
		const lead = await nextLead(agent);
		await callAndTalk(agent);
		const survey = agent.getByTestId('ws-survey');
		await expect(survey.textContent()).resolves.toContain(question);
		const answer = `about ${Date.now() % 100}k`;
		await survey.locator(`[data-question] input`).last().fill(answer);
		await agent.keyboard.press('Escape');
		await agent.keyboard.press('h');
		await agent.waitForSelector('[data-testid=ws-call][data-call-state=idle]', { timeout: 15_000 });
		await agent.keyboard.press('5');
		await agent.waitForSelector('[data-testid=ws-next]', { timeout: 10_000 });
		expect(await agent.getByTestId('ws-survey-error').count()).toBe(0);

		const csv = await (await manager.request.get(`/projects/${projectId}/survey/export`)).text();
		const line = csv.split('\n').find((l) => l.includes(answer));
		expect(line).toBeDefined();
		expect(line).toContain(lead.replace(/"/g, '""'));
	});

	it('callback tomorrow 10:00 after a real call: the lead comes back to its agent then, not before and not to another agent (server test clock); its recording plays with seek', async () => {
		const p = page();
		await signInPaused(p, 12);
		const other = await newPage();
		await login(other, demo('agent', 16));
		await other.waitForSelector('[data-testid=workstation]');
		const projectId = await p.getByTestId('ws-project').inputValue();
		expect(await other.getByTestId('ws-project').inputValue()).toBe(projectId);

		const lead = await nextLead(p);
		await callAndTalk(p);
		await p.keyboard.press('h');
		await p.waitForSelector('[data-testid=ws-tile][data-state=wrapup]', { timeout: 15_000 });
		await p.keyboard.press('4');
		const when = p.getByTestId('ws-when');
		await when.waitFor();
		const local = await p.evaluate(() => {
			const t = new Date(Date.now() + 24 * 3600_000);
			const pad = (n: number) => String(n).padStart(2, '0');
			return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T10:00`;
		});
		const due = await p.evaluate((v) => new Date(v).getTime(), local);
		await when.fill(local);
		await when.press('Enter');
		await p.waitForSelector('[data-testid=ws-next]', { timeout: 10_000 });
		await wrapupEnded(p);

		try {
			// tomorrow 09:59 on the server's leads clock: not due yet
			setServerClock(due - 60_000);
			expect(await nextLead(p)).not.toBe(lead);
			await p.keyboard.press('5');
			await p.waitForSelector('[data-testid=ws-next]', { timeout: 10_000 });

			// 10:00: due, but a personal callback: another agent of the project does not get it…
			setServerClock(due + 1000);
			await other.keyboard.press('n');
			await other.waitForSelector('[data-testid=lead-card]', { timeout: 10_000 });
			expect(await company(other)).not.toBe(lead);
			// …its agent does
			expect(await nextLead(p)).toBe(lead);
		} finally {
			resetServerClock();
		}

		// the call of yesterday is on the timeline, with its recording served in ranges and seekable
		const audio = p.getByTestId('ws-recording').first();
		await audio.waitFor({ state: 'attached' });
		const src = (await audio.getAttribute('src'))!;
		const head = await p.request.get(src, { headers: { Range: 'bytes=0-11' } });
		expect(head.status()).toBe(206);
		expect((await head.body()).subarray(0, 4).toString('latin1')).toBe('RIFF');
		const seeked = await audio.evaluate(async (el: HTMLAudioElement) => {
			el.muted = true;
			if (el.readyState < 1) await new Promise((r) => el.addEventListener('loadedmetadata', r, { once: true }));
			const to = el.duration / 2;
			const done = new Promise((r) => el.addEventListener('seeked', r, { once: true }));
			el.currentTime = to;
			await done;
			return { duration: el.duration, at: el.currentTime };
		});
		expect(seeked.duration).toBeGreaterThan(0);
		expect(seeked.at).toBeGreaterThan(0);
	});
});
