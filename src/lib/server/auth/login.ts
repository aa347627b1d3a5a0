import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { users } from '../db/schema';
import { audit } from '../audit';
import { dummyPasswordHash, verifyPassword } from './password';
import { loginLimits } from './rate-limit';

export type LoginResult =
	| { ok: true; userId: string; needsTotp: boolean }
	| { ok: false; reason: 'invalid' | 'disabled' }
	| { ok: false; reason: 'throttled'; retryAfterMs: number; scope: 'ip' | 'account' };

/**
 * Checks e-mail + password under the per-IP and per-account budgets. A wrong e-mail and a wrong
 * password answer alike (and take as long), so the form does not reveal which accounts exist.
 */
export async function attemptLogin(db: Db, email: string, password: string, ip: string): Promise<LoginResult> {
	const account = email.trim().toLowerCase();
	const ipWait = loginLimits.perIp.retryAfter(ip);
	if (ipWait > 0) return { ok: false, reason: 'throttled', retryAfterMs: ipWait, scope: 'ip' };
	const accountWait = loginLimits.perAccount.retryAfter(account);
	if (accountWait > 0) return { ok: false, reason: 'throttled', retryAfterMs: accountWait, scope: 'account' };

	const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${account}`);
	const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
	if (!user || !valid) {
		loginLimits.perIp.fail(ip);
		loginLimits.perAccount.fail(account);
		await audit(db, { actorId: user?.id ?? null, action: 'login.failed', target: account, ip });
		return { ok: false, reason: 'invalid' };
	}
	if (user.disabledAt) {
		await audit(db, { actorId: user.id, action: 'login.failed', target: account, details: { disabled: true }, ip });
		return { ok: false, reason: 'disabled' };
	}
	loginLimits.perAccount.reset(account);
	const needsTotp = !!user.totpSecret;
	if (!needsTotp) await audit(db, { actorId: user.id, action: 'login.ok', target: account, ip });
	return { ok: true, userId: user.id, needsTotp };
}
