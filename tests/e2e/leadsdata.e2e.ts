/**
 * Lead data in Chromium: a manager adds a lead by hand, puts its phone on the do-not-call list and
 * sees it kept off the floor; then merges a group of probable duplicates on the merge screen.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoAccount, login, open, useBrowser } from './browser';

const tag = Math.random().toString(36).slice(2, 7);
/** a valid Paris number, different on every run */
const parisNumber = (i: number) => `01 42 ${String(10 + i).padStart(2, '0')} ${tag.charCodeAt(0) % 90 + 10} ${String(Math.floor(Math.random() * 90) + 10)}`;

async function createProject(p: Page, name: string): Promise<string> {
	await open(p, '/projects');
	await p.fill('[data-testid=new-project] #name', name);
	await p.fill('[data-testid=new-project] #defaultRegion', 'FR');
	await Promise.all([p.waitForURL(/\/projects\/[0-9a-f-]{36}$/), p.click('[data-testid=new-project] button[type=submit]')]);
	return new URL(p.url()).pathname.split('/').pop()!;
}

async function addLead(p: Page, fields: { company: string; city: string; phones: string }) {
	const form = p.getByTestId('manual-add');
	await form.locator('#company').fill(fields.company);
	await form.locator('#city').fill(fields.city);
	await form.locator('#phones').fill(fields.phones);
	// the notice of a previous add may still be on screen: wait for this submission's answer
	await Promise.all([
		p.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/add')),
		form.locator('button[type=submit]').click()
	]);
	await p.getByTestId('add-created').waitFor();
}

describe.sequential('lead data: manual add, do-not-call and merge in Chromium', () => {
	const { page } = useBrowser();

	it('adds a lead by hand, lists its phone as do-not-call, and the lead is kept from dialling', async () => {
		const p = page();
		await login(p, demoAccount('manager'));
		const projectId = await createProject(p, `Lead data ${tag}`);
		await p.click('nav.tabs a[href$="/leads"]');
		await p.waitForURL(`**/projects/${projectId}/leads`);

		// a bad number is refused with its reason, field by field
		await p.getByTestId('manual-add').locator('#phones').fill('12');
		await p.getByTestId('manual-add').locator('button[type=submit]').click();
		await expect(p.getByTestId('add-phone-error').textContent()).resolves.toContain('Not a valid phone number for region FR: 12.');

		const phone = parisNumber(1);
		await addLead(p, { company: `Quincaillerie ${tag}`, city: 'Lyon', phones: phone });
		await expect(p.getByTestId('project-leads').textContent()).resolves.toContain(`Quincaillerie ${tag}`);

		await Promise.all([p.waitForURL(/\/leads\/[0-9a-f-]{36}$/), p.click('[data-testid=add-created] a')]);
		await expect(p.getByTestId('lead-callable').textContent()).resolves.not.toContain('never handed');
		await p.getByTestId('phone-to-dnc').click();
		await p.getByTestId('phone-dnc').waitFor();
		await expect(p.getByTestId('why-phone_on_dnc').isVisible()).resolves.toBe(true);

		// the number is on the list page too, in E.164
		const e164 = `+33${phone.replace(/\D/g, '').slice(1)}`;
		await open(p, `/leads/dnc?q=${encodeURIComponent(e164)}`);
		await expect(p.getByTestId('dnc-table').textContent()).resolves.toContain(e164);

		// and the search finds the lead by its number written the national way
		await open(p, `/leads?q=${encodeURIComponent(phone)}`);
		await expect(p.getByTestId('lead-hits').textContent()).resolves.toContain(`Quincaillerie ${tag}`);
	});

	it('shows the same company in the same city as a group and merges it', async () => {
		const p = page();
		await login(p, demoAccount('manager'));
		const projectId = await createProject(p, `Doublons ${tag}`);
		await open(p, `/projects/${projectId}/leads`);
		await addLead(p, { company: `Boulangerie ${tag} S.A.R.L.`, city: 'Nantes', phones: parisNumber(2) });
		await addLead(p, { company: `boulangerie ${tag}`, city: 'NANTES', phones: parisNumber(3) });

		await open(p, `/leads/duplicates?project=${projectId}`);
		const group = p.getByTestId('dup-group');
		await expect(group.count()).resolves.toBe(1);
		await expect(group.textContent()).resolves.toContain('Same company and city');
		await group.getByTestId('dup-merge').click();
		await p.getByTestId('dup-merged').waitFor();
		await expect(p.getByTestId('dup-merged').textContent()).resolves.toContain('2 leads merged into one');
		await p.getByTestId('dup-none').waitFor();

		// one lead left in the project, with both phones
		await open(p, `/projects/${projectId}/leads`);
		await expect(p.locator('[data-testid=project-leads] tbody tr').count()).resolves.toBe(1);
		await Promise.all([p.waitForURL(/\/leads\/[0-9a-f-]{36}$/), p.click('[data-testid=project-leads] tbody a')]);
		await expect(p.locator('[data-testid=lead-phones] code').count()).resolves.toBe(2);
	});

	it('attaches a file to the info letter, downloads it, and refuses one over 10 MB', async () => {
		const p = page();
		await login(p, demoAccount('manager'));
		const projectId = await createProject(p, `Lettre ${tag}`);
		await open(p, `/projects/${projectId}/letter`);
		const box = p.getByTestId('letter-attachments');
		await box.locator('input[type=file]').setInputFiles({ name: 'offre.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 offre') });
		await Promise.all([p.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/attach')), box.locator('button[type=submit]').last().click()]);
		const link = box.locator('a', { hasText: 'offre.pdf' });
		await link.waitFor();
		const download = await p.request.get((await link.getAttribute('href'))!);
		expect(download.status()).toBe(200);
		expect(download.headers()['content-disposition']).toContain('filename="offre.pdf"');
		expect(await download.text()).toBe('%PDF-1.4 offre');

		// over the limit: refused by the server with the file's name and the limit
		const big = Buffer.alloc(10 * 1024 * 1024 + 1);
		const refused = await p.request.post(`/projects/${projectId}/letter?/attach`, {
			multipart: { file: { name: 'huge.zip', mimeType: 'application/zip', buffer: big } },
			headers: { origin: new URL(p.url()).origin, 'x-sveltekit-action': 'true' }
		});
		expect(await refused.text()).toContain('attachments are limited to 10 MB each');
		await expect(p.request.get(`/projects/${projectId}/letter/attachments/..%2F..%2Fetc%2Fpasswd`).then((r) => r.status())).resolves.toBe(404);
	});
});
