/**
 * Meetings and the info letter against the built app: a demo agent sends the project's letter
 * (its row shows on /outbox), books a meeting in the director's free slots (the slot is gone for
 * the next booking, the meetings ring moves), and the demo director records "held, won, 1200".
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoAccount as demo, login, open, useBrowser } from './browser';

describe.sequential('meetings and letters in Chromium', () => {
	const { page } = useBrowser();
	let booked = '';

	async function nextLead(p: Page) {
		await p.waitForSelector('[data-testid=ws-next]:not([disabled])');
		await p.keyboard.press('n');
		await p.waitForSelector('[data-testid=lead-card]', { timeout: 10_000 });
	}

	/** Presses the meeting hotkey and waits for the director's week; the slot starts shown. */
	async function meetingSlots(p: Page): Promise<string[]> {
		await p.keyboard.press('7');
		await p.waitForSelector('[data-testid=meeting-slots] header, [data-testid=meeting-no-director]', { timeout: 10_000 });
		if ((await p.getByTestId('meeting-slot').count()) === 0) {
			// late on a Sunday this week has no slot left: the next one has
			await p.getByTestId('meeting-next-week').click();
			await p.getByTestId('meeting-slot').first().waitFor();
		}
		return p.getByTestId('meeting-slot').evaluateAll((els) => els.map((e) => e.getAttribute('data-start') ?? ''));
	}

	it('sends the info letter with one key and shows it in the outbox', async () => {
		const p = page();
		await login(p, demo('agent', 8));
		await nextLead(p);
		const email = (await p.getByTestId('lead-card').locator('a[href^="mailto:"]').first().textContent())!.trim();
		expect(email).toMatch(/@lead\.example$/);
		await p.keyboard.press('l');
		const result = p.getByTestId('ws-letter-result');
		await result.waitFor();
		expect(await result.textContent()).toContain(email);
		// the timeline shows the letter with its status
		await p.waitForFunction((to) => document.querySelector('[data-testid=ws-history]')?.textContent?.includes(to), email);

		await open(p, '/outbox');
		const row = p.locator(`[data-testid=outbox-row][data-to="${email}"]`);
		await row.waitFor();
		expect(['queued', 'held']).toContain(await row.getAttribute('data-status'));
		await row.locator('summary').click();
		expect(await row.getByTestId('outbox-body').textContent()).toContain('As promised');
		expect(await p.getByTestId('outbox-mode').getAttribute('data-smtp')).toBe('false');
	});

	it('books a meeting in a free slot, and the slot is gone for the next booking', async () => {
		const p = page();
		await login(p, demo('agent', 8));
		// the lead of the previous test is still this agent's claim
		await p.waitForSelector('[data-testid=lead-card]', { timeout: 10_000 });
		const meetingsBefore = Number(await p.getByTestId('ws-target-meetings').getAttribute('data-value'));
		const slots = await meetingSlots(p);
		expect(slots.length).toBeGreaterThan(0);
		booked = slots[0]!;
		await p.locator(`[data-testid=meeting-slot][data-start="${booked}"]`).click();
		await p.getByTestId('meeting-chosen').waitFor();
		await p.getByTestId('meeting-invite-client').check();
		await p.getByTestId('ws-dispositions').locator('.when button.primary').click();
		await p.waitForSelector('[data-testid=ws-next]', { timeout: 10_000 });
		await p.waitForFunction(
			(before) => Number(document.querySelector('[data-testid=ws-target-meetings]')?.getAttribute('data-value')) > before,
			meetingsBefore
		);

		await nextLead(p);
		const again = await meetingSlots(p);
		expect(again).not.toContain(booked);
		expect(again.length).toBeGreaterThan(0);

		// the invitations went to the outbox with the calendar part
		await open(p, '/outbox');
		expect(await p.locator('[data-testid=outbox-row]').count()).toBeGreaterThanOrEqual(3);
	});

	it('the director records held, won, 1200', async () => {
		const p = page();
		await login(p, demo('director'));
		await open(p, '/meetings');
		const row = p.locator('[data-testid=meeting-row]').filter({ has: p.locator(`[data-testid^=meeting-outcome-]`) }).first();
		await row.waitFor();
		const id = (await row.getAttribute('data-meeting'))!;
		const form = p.getByTestId(`meeting-outcome-${id}`);
		await form.getByTestId('outcome-status').selectOption('held');
		await form.getByTestId('outcome-deal').selectOption('won');
		await form.getByTestId('outcome-amount').fill('1200');
		await form.getByTestId('outcome-save').click();
		await p.waitForSelector(`[data-testid=meeting-row][data-meeting="${id}"][data-status=held][data-deal=won]`);
		expect(await p.locator(`[data-testid=meeting-row][data-meeting="${id}"]`).textContent()).toContain('1,200');
	});
});
