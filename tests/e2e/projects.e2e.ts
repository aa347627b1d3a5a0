import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { open, useBrowser } from './browser';

const SAMPLES = path.resolve(process.cwd(), '../shared/samples/imports');
const FILE = path.join(SAMPLES, 'prospects-fr.csv');

interface Expected {
	files: {
		file: string;
		rows_total: number;
		rows_invalid: number;
		new_leads: number;
		rows_matched_existing_or_in_file: number;
	}[];
}

describe
	.skipIf(!existsSync(FILE))
	.sequential('a manager prepares a project and imports leads in Chromium', () => {
		const { page } = useBrowser();
		const ctx = inject('e2e');
		const manager = ctx.demo.find((d) => d.role === 'manager');
		const spec = existsSync(FILE)
			? (JSON.parse(readFileSync(path.join(SAMPLES, 'expected.json'), 'utf8')) as Expected).files.find(
					(f) => f.file === 'prospects-fr.csv'
				)!
			: null;

		it('creates a project, previews prospects-fr.csv and imports it with the expected counts', async () => {
			expect(manager, 'the demo seed prints a manager').toBeDefined();
			const p = page();
			await open(p, '/login');
			await p.fill('#email', manager!.email);
			await p.fill('#password', manager!.password);
			await Promise.all([
				p.waitForURL((u) => !u.pathname.startsWith('/login')),
				p.click('main button[type=submit]')
			]);

			await p.click('header nav a[href="/projects"]');
			await p.waitForURL('**/projects');
			await p.fill('[data-testid=new-project] #name', 'Salon Lyon 2026');
			await p.fill('[data-testid=new-project] #defaultRegion', 'FR');
			await Promise.all([
				p.waitForURL(/\/projects\/[0-9a-f-]{36}$/),
				p.click('[data-testid=new-project] button[type=submit]')
			]);
			await expect(p.getByTestId('project-name').textContent()).resolves.toBe('Salon Lyon 2026');

			await p.click('nav.tabs a[href$="/imports"]');
			await p.waitForURL('**/imports');
			await p.setInputFiles('main input[type=file]', FILE);
			await Promise.all([
				p.waitForURL(/\/imports\/[0-9a-f-]{36}$/),
				p.click('main form[action="?/upload"] button[type=submit]')
			]);

			// the preview: detected encoding, normalised phones, each row's problems
			await expect(p.getByTestId('import-encoding').textContent()).resolves.toBe('windows-1252');
			await expect(p.getByTestId('import-data-rows').textContent()).resolves.toBe(String(spec!.rows_total));
			await expect(p.locator('#map_3').inputValue()).resolves.toBe('phone');
			const preview = p.getByTestId('import-preview');
			await expect(preview.locator('tbody tr').count()).resolves.toBe(50);
			await expect(preview.textContent()).resolves.toContain('+33467859534');

			await p.click('[data-testid=import-run]');
			await p.getByTestId('import-result').waitFor({ timeout: 30_000 });
			const count = (id: string) => p.getByTestId(id).textContent();
			await expect(count('count-total')).resolves.toBe(String(spec!.rows_total));
			await expect(count('count-invalid')).resolves.toBe(String(spec!.rows_invalid));
			await expect(count('count-created')).resolves.toBe(String(spec!.new_leads));
			await expect(count('count-merged')).resolves.toBe(String(spec!.rows_matched_existing_or_in_file));

			// the error report is served to the manager as CSV
			const href = await p.getByTestId('error-report').getAttribute('href');
			const response = await p.request.get(href!);
			expect(response.status()).toBe(200);
			expect(await response.text()).toMatch(/^\uFEFFline,column,value,reason\r\n\d+,/);
		});
	});
