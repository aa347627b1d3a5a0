/**
 * The agent workstation against the built app and the built-in PBX simulator: a demo agent takes
 * the next lead with the keyboard, dials it (AMI Originate over TCP: the simulator rings the agent's
 * phone, then answers as the customer), hangs up, records the outcome with a hotkey and gets the
 * next lead; a callback needs its date and time. Two agents never get the same lead.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dialOutcome } from '../../realtime/simulator/model';
import { demoAccount as demo, login, useBrowser } from './browser';

describe.sequential('the agent workstation in Chromium', () => {
	const { page, newPage } = useBrowser();

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
