import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db';
import { auditLog, sessions } from '../db/schema';
import { testDatabases } from '../db/testing';
import { createTeam, createUser, getUser, updateUser, UserConflictError } from '../users';
import { requiredRoleFor } from './guard';
import { attemptLogin } from './login';
import { FailureLimiter, loginLimits } from './rate-limit';
import { createSession, invalidateSession, validateSession } from './session';
import { bootstrapFirstAdmin, completeSetup, isSetupTokenValid, SetupError } from './setup';
import { tokenDigest } from './tokens';
import { currentTotp, newTotpSecret, verifyTotp } from './totp';
import { homeFor, roleAtLeast } from './types';

describe('roles and route groups', () => {
	it('nests admin ⊃ manager ⊃ supervisor and keeps agents apart', () => {
		expect(roleAtLeast('admin', 'manager')).toBe(true);
		expect(roleAtLeast('manager', 'supervisor')).toBe(true);
		expect(roleAtLeast('supervisor', 'manager')).toBe(false);
		expect(roleAtLeast('agent', 'supervisor')).toBe(false);
		expect(roleAtLeast('manager', 'agent')).toBe(false);
		expect(homeFor('agent')).toBe('/agent');
	});
	it('guards every route group', () => {
		expect(requiredRoleFor('/admin/users')).toBe('admin');
		expect(requiredRoleFor('/(supervisor)/floor')).toBe('supervisor');
		expect(requiredRoleFor('/(manager)/projects')).toBe('manager');
		expect(requiredRoleFor('/(agent)/agent')).toBe('agent');
		expect(requiredRoleFor('/(auth)/login')).toBeNull();
	});
});

describe('rate limiter', () => {
	it('allows max failures per window, then says how long to wait', () => {
		const l = new FailureLimiter({ max: 3, windowMs: 1000 });
		for (let i = 0; i < 3; i++) l.fail('k', 100 + i);
		expect(l.retryAfter('k', 200)).toBe(900);
		expect(l.retryAfter('k', 1101)).toBe(0);
		l.reset('k');
		expect(l.retryAfter('k', 200)).toBe(0);
	});
});

describe('TOTP', () => {
	it('accepts the current code and refuses others', () => {
		const secret = newTotpSecret();
		expect(verifyTotp(secret, currentTotp(secret))).toBe(true);
		expect(verifyTotp(secret, '000000') && verifyTotp(secret, '999999')).toBe(false);
		expect(verifyTotp(secret, 'abc')).toBe(false);
	});
});

describe.each(testDatabases())('auth on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('creates the first admin through a one-time setup link only', async () => {
		const outcome = await bootstrapFirstAdmin(handle.db, {});
		expect(outcome.kind).toBe('setup-link');
		const token = outcome.kind === 'setup-link' ? outcome.token : '';
		expect(await isSetupTokenValid(handle.db, token)).toBe(true);
		await completeSetup(handle.db, token, { email: 'root@example.test', name: 'Root', password: 'a long admin password' }, '127.0.0.1');
		await expect(completeSetup(handle.db, token, { email: 'x@example.test', name: 'X', password: 'another long password' }, null)).rejects.toBeInstanceOf(SetupError);
		expect((await bootstrapFirstAdmin(handle.db, {})).kind).toBe('existing');
	});

	it('logs in, audits success and failure, and throttles an account with a clear wait', async () => {
		loginLimits.perAccount.reset('root@example.test');
		const ok = await attemptLogin(handle.db, 'ROOT@example.test', 'a long admin password', '10.0.0.1');
		expect(ok).toMatchObject({ ok: true, needsTotp: false });
		for (let i = 0; i < 5; i++) expect((await attemptLogin(handle.db, 'root@example.test', 'wrong', `10.0.1.${i}`)).ok).toBe(false);
		const blocked = await attemptLogin(handle.db, 'root@example.test', 'a long admin password', '10.0.2.1');
		expect(blocked).toMatchObject({ ok: false, reason: 'throttled', scope: 'account' });
		const rows = await handle.db.select().from(auditLog).where(eq(auditLog.target, 'root@example.test'));
		expect(rows.filter((r) => r.action === 'login.ok')).toHaveLength(1);
		expect(rows.filter((r) => r.action === 'login.failed')).toHaveLength(5);
		loginLimits.perAccount.reset('root@example.test');
	});

	it('keeps sessions hashed, slides their expiry and ends them on logout', async () => {
		const id = await createUser(handle.db, { email: 'ann@example.test', name: 'Ann', role: 'agent', password: 'agent password 1', teamIds: [] }, { id: null });
		const { token } = await createSession(handle.db, id, { days: 1, verified: true });
		const [row] = await handle.db.select().from(sessions).where(eq(sessions.id, tokenDigest(token)));
		expect(row?.id).not.toBe(token);
		// past half-life: renewed
		await handle.db.update(sessions).set({ expiresAt: new Date(Date.now() + 3_600_000) }).where(eq(sessions.id, tokenDigest(token)));
		const v = await validateSession(handle.db, token, 1);
		expect(v?.renewed).toBe(true);
		expect(v!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 20 * 3_600_000);
		await invalidateSession(handle.db, v!.sessionId);
		expect(await validateSession(handle.db, token, 1)).toBeNull();
	});

	it('audits role and team changes and refuses a duplicate endpoint', async () => {
		const team = await createTeam(handle.db, 'Blue', { id: null });
		const admin = (await handle.db.select().from(auditLog).where(eq(auditLog.action, 'setup.admin_created')))[0]!.actorId!;
		const id = await createUser(handle.db, { email: 'bob@example.test', name: 'Bob', role: 'agent', password: 'agent password 2', endpoint: 'PJSIP/1001', teamIds: [] }, { id: admin });
		await updateUser(handle.db, id, { email: 'bob@example.test', name: 'Bob', role: 'supervisor', endpoint: 'PJSIP/1001', teamIds: [team] }, { id: admin });
		expect(await getUser(handle.db, id)).toMatchObject({ role: 'supervisor', teamIds: [team] });
		const actions = (await handle.db.select().from(auditLog).where(eq(auditLog.target, id))).map((r) => r.action);
		expect(actions).toEqual(expect.arrayContaining(['user.created', 'user.role_changed', 'user.teams_changed']));
		await expect(
			createUser(handle.db, { email: 'eve@example.test', name: 'Eve', role: 'agent', password: 'agent password 3', endpoint: 'PJSIP/1001', teamIds: [] }, { id: admin })
		).rejects.toBeInstanceOf(UserConflictError);
	});
});
