import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { demoAccount, login, open, useBrowser } from './browser';

describe.sequential('the demo manager reviews the week in Chromium', () => {
	const { page } = useBrowser();

	it('opens the weekly pack, drills from a failure bar to a recording, exports conversion to XLSX, approves pay', async () => {
		const p = page();
		await login(p, demoAccount('manager'));

		// the weekly pack: last full week against the one before, three changes highlighted
		await p.click('header nav a[href="/reports"]');
		await p.waitForURL('**/reports');
		await Promise.all([p.waitForURL('**/reports/weekly'), p.click('main a[href="/reports/weekly"]')]);
		await p.waitForSelector('[data-testid=pack-changes]');
		expect(await p.locator('[data-testid=pack-changes] tr[data-highlighted=true]').count()).toBe(3);
		expect(await p.locator('[data-testid=pack-conversion] tbody tr').count()).toBeGreaterThan(1);

		// a bar of the failure diagram → the calls behind it → a recording that plays
		const bar = p.locator('[data-testid=chart-bar]').first();
		await bar.waitFor();
		await Promise.all([p.waitForURL(/\/reports\/calls\?.*reason=/), bar.click()]);
		const rows = p.locator('[data-testid=drill-calls] tbody tr');
		await rows.first().waitFor();
		expect(await rows.count()).toBeGreaterThan(0);
		const reason = new URL(p.url()).searchParams.get('reason');
		expect(reason).toBeTruthy();

		// answered-call reasons have recordings; open one that does
		await open(p, '/reports/calls?outcome=conversation');
		const link = p.getByTestId('recording-link').first();
		await link.waitFor();
		const href = await link.getAttribute('href');
		const audio = await p.request.get(href!, { headers: { range: 'bytes=0-' } });
		expect(audio.status()).toBe(206);
		expect(audio.headers()['content-type']).toBe('audio/wav');
		expect((await audio.body()).subarray(0, 4).toString()).toBe('RIFF');
		await link.click();
		await p.waitForSelector('[data-testid=drill-calls] audio');

		// the conversion table as XLSX, read back with exceljs
		// a closed period (the demo history), so live calls of the bots cannot change it between page and export
		const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
		await open(p, `/reports/conversion?from=${day(28)}&to=${day(8)}`);
		await p.waitForSelector('[data-testid=conversion-table]');
		const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid=export-xlsx]')]);
		expect(download.suggestedFilename()).toMatch(/^conversion-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
		const book = new ExcelJS.Workbook();
		await book.xlsx.load((await readFile((await download.path())!)).buffer as ArrayBuffer);
		const sheet = book.worksheets[0]!;
		expect(sheet.getRow(1).getCell(1).value).toBe('Agent');
		expect(sheet.getRow(1).getCell(3).value).toBe('Dials');
		const pageRows = await p.locator('[data-testid=conversion-table] tbody tr').count();
		expect(sheet.actualRowCount).toBe(pageRows + 1);
		expect(typeof sheet.getRow(2).getCell(3).value).toBe('number');

		// project progress: leads by status over the period as stacked areas, one per status, and the run-out date
		await open(p, '/reports/progress');
		await p.getByTestId('status-area').first().waitFor();
		// a demo project (with four weeks of daily snapshots; a project another test created today has one)
		const demoProject = p.locator('section.project', { has: p.locator('h2', { hasText: 'Logistics leaders Q4' }) });
		expect(await demoProject.getByTestId('status-area').count()).toBe(6);
		expect(await p.getByTestId('run-out').first().textContent()).toMatch(/run out on \d{4}-\d{2}-\d{2}|No pace yet/);

		// last week's pay: formula lines, then approve and lock
		await open(p, '/reports/pay');
		await p.waitForSelector('[data-testid=pay-line]');
		expect(await p.getByTestId('pay-line').first().textContent()).toMatch(/Bonus 1 = .+ × max\(0, \d+ held − 2\)/);
		// the first agent gets a salary of their own: their formula uses it, the others keep the team's
		const salaryRow = p.getByTestId('agent-salaries').locator('tbody tr').first();
		const agentName = (await salaryRow.locator('td').first().textContent())!.trim();
		await salaryRow.locator('input[name=weeklySalary]').fill('612.34');
		await Promise.all([p.waitForResponse((r) => r.url().includes('?/salary')), salaryRow.locator('button').click()]);
		await p.getByText('Salary saved.').waitFor();
		// that agent's formula: the card whose heading is "<name> · <total>"
		const lineOf = () => p.getByTestId('pay-line').filter({ has: p.locator('h3', { hasText: new RegExp(`^${agentName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · `) }) });
		const ownLine = lineOf();
		await ownLine.getByText(/own salary/).waitFor();
		expect(await ownLine.getByTestId('pay-salary').textContent()).toMatch(/612\.34.+own salary; the team's is .*450\.00/);
		expect(await p.getByTestId('pay-salary').filter({ hasText: "the team's salary" }).count()).toBeGreaterThan(0);
		await p.click('[data-testid=approve-week]');
		await p.waitForSelector('[data-testid=pay-locked]');
		await open(p, p.url());
		expect(await p.getByTestId('pay-locked').textContent()).toContain('Marie Manager');
		expect(await p.getByTestId('approve-week').count()).toBe(0);
		// the locked week keeps the own salary
		expect(await lineOf().getByTestId('pay-salary').textContent()).toContain('612.34');
	}, 300_000);

	it('a supervisor sees the reports of their own team only', async () => {
		const p = page();
		await login(p, demoAccount('supervisor'));
		await open(p, '/reports/conversion');
		const teams = await p.locator('#f-team option').allTextContents();
		expect(teams).toEqual(['All teams', 'Team Paris']);
		const approve = await p.request.post('/reports/pay?/approve', {
			form: { team: '00000000-0000-0000-0000-000000000000', week: '2026-11-02' },
			headers: { origin: new URL(p.url()).origin }
		});
		expect(approve.status()).toBe(403);
		const salary = await p.request.post('/reports/pay?/salary', {
			form: { team: '00000000-0000-0000-0000-000000000000', agent: '00000000-0000-0000-0000-000000000000', weeklySalary: '9999' },
			headers: { origin: new URL(p.url()).origin }
		});
		expect(salary.status()).toBe(403);
	});
});
