import { describe, expect, inject, it } from 'vitest';
import { open, useBrowser } from './browser';

const admin = { name: 'Ada Admin', email: 'ada@example.test', password: 'correct horse battery' };
const agent = {
	name: 'Alan Agent',
	email: 'alan@example.test',
	password: 'agent password 42',
	endpoint: 'PJSIP/1999'
};

describe.sequential('first admin, users and roles in Chromium', () => {
	const { page, newPage } = useBrowser();
	const ctx = inject('e2e');

	async function login(p: ReturnType<typeof page>, email: string, password: string) {
		await open(p, '/login');
		await p.fill('#email', email);
		await p.fill('#password', password);
		await Promise.all([
			p.waitForURL((u) => !u.pathname.startsWith('/login') || u.search.includes('next')),
			p.click('main button[type=submit]')
		]);
	}

	it('prints a one-time setup link that creates the first admin', async () => {
		expect(ctx.setupLink).toMatch(/\/setup\/[A-Za-z0-9_-]{40,}$/);
		const p = page();
		await open(p, ctx.setupLink!);
		await p.fill('#name', admin.name);
		await p.fill('#email', admin.email);
		await p.fill('#password', admin.password);
		await Promise.all([p.waitForURL('**/login'), p.click('main button[type=submit]')]);
		// the link is burnt
		await open(p, ctx.setupLink!);
		await expect(p.getByRole('alert').textContent()).resolves.toMatch(/invalid, already used or expired/);
	});

	it('shows a clear error for a wrong password', async () => {
		const p = page();
		await open(p, '/login');
		await p.fill('#email', admin.email);
		await p.fill('#password', 'not the password');
		await p.click('main button[type=submit]');
		await expect(p.getByTestId('login-error').textContent()).resolves.toBe('Wrong e-mail or password.');
		expect(new URL(p.url()).pathname).toBe('/login');
	});

	it('lets the admin create an agent who then lands on the agent home', async () => {
		const p = page();
		await login(p, admin.email, admin.password);
		expect(new URL(p.url()).pathname).toBe('/admin/users');
		await p.click('text=New user');
		await p.fill('#name', agent.name);
		await p.fill('#email', agent.email);
		await p.selectOption('#role', 'agent');
		await p.fill('#password', agent.password);
		await p.fill('#endpoint', agent.endpoint);
		await p.locator('input[name=teamIds]').first().check();
		await Promise.all([p.waitForURL('**/admin/users?created=1'), p.click('main button[type=submit]')]);
		await expect(p.getByTestId('users-table').textContent()).resolves.toContain(agent.email);

		const a = await newPage();
		await login(a, agent.email, agent.password);
		expect(new URL(a.url()).pathname).toBe('/agent');
		await expect(a.getByTestId('agent-home').textContent()).resolves.toContain(agent.endpoint);
	});

	it('refuses invalid user input field by field', async () => {
		const p = page();
		await login(p, admin.email, admin.password);
		await open(p, '/admin/users/new');
		await p.fill('#name', 'Dup');
		await p.fill('#email', agent.email);
		await p.fill('#password', 'long enough password');
		await p.fill('#endpoint', 'not a dial string');
		await p.click('main button[type=submit]');
		await expect(p.locator('.field-error').first().textContent()).resolves.toMatch(
			/dial string|already exists/
		);
	});

	it('answers 403 when an agent opens /admin', async () => {
		const p = page();
		await login(p, agent.email, agent.password);
		const response = await open(p, '/admin/users');
		expect(response?.status()).toBe(403);
		await expect(p.getByTestId('error-page').getAttribute('data-status')).resolves.toBe('403');
	});

	it('switches to French from the Accept-Language header and from the account page', async () => {
		const fr = await newPage('fr-FR');
		await open(fr, '/login');
		await expect(fr.locator('h1').textContent()).resolves.toBe('Connexion');

		const p = page();
		await login(p, agent.email, agent.password);
		await open(p, '/account');
		await p.selectOption('[data-testid=locale-select]', 'fr');
		await Promise.all([p.waitForLoadState('load'), p.click('[data-testid=locale-save]')]);
		await open(p, '/agent');
		await expect(p.locator('h1').textContent()).resolves.toContain('Bonjour');
		await expect(p.locator('html').getAttribute('lang')).resolves.toBe('fr');
	});
});
