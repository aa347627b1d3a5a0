import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db';
import { sessions, teamMembers, users } from '../db/schema';
import { newToken, tokenDigest } from './tokens';
import type { SessionUser } from './types';

export const SESSION_COOKIE = 'sb_session';
const DAY = 86_400_000;

export interface SessionValidation {
	sessionId: string;
	user: SessionUser;
	/** the second factor is still owed */
	pendingTotp: boolean;
	expiresAt: Date;
	/** expiry was pushed forward: re-send the cookie */
	renewed: boolean;
}

export async function createSession(
	db: Db,
	userId: string,
	opts: { days: number; verified: boolean; ip?: string | null; userAgent?: string | null }
): Promise<{ token: string; expiresAt: Date }> {
	const token = newToken();
	const expiresAt = new Date(Date.now() + opts.days * DAY);
	await db.insert(sessions).values({
		id: tokenDigest(token),
		userId,
		expiresAt,
		verified: opts.verified,
		ip: opts.ip ?? null,
		userAgent: opts.userAgent?.slice(0, 300) ?? null
	});
	return { token, expiresAt };
}

export async function loadSessionUser(db: Db, userId: string): Promise<SessionUser | null> {
	const [u] = await db.select().from(users).where(and(eq(users.id, userId), isNull(users.disabledAt)));
	if (!u) return null;
	const teams = await db.select({ teamId: teamMembers.teamId }).from(teamMembers).where(eq(teamMembers.userId, u.id));
	return {
		id: u.id,
		email: u.email,
		name: u.name,
		role: u.role,
		locale: u.locale,
		teamIds: teams.map((t) => t.teamId),
		hasTotp: !!u.totpSecret
	};
}

/** Validates a cookie token; sliding expiry: past half its life, the session is extended. */
export async function validateSession(db: Db, token: string, days: number): Promise<SessionValidation | null> {
	const id = tokenDigest(token);
	const [row] = await db.select().from(sessions).where(and(eq(sessions.id, id), gt(sessions.expiresAt, new Date())));
	if (!row) return null;
	const user = await loadSessionUser(db, row.userId);
	if (!user) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return null;
	}
	let expiresAt = row.expiresAt;
	let renewed = false;
	if (expiresAt.getTime() - Date.now() < (days * DAY) / 2) {
		expiresAt = new Date(Date.now() + days * DAY);
		await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
		renewed = true;
	}
	return { sessionId: id, user, pendingTotp: !row.verified, expiresAt, renewed };
}

export async function markSessionVerified(db: Db, sessionId: string): Promise<void> {
	await db.update(sessions).set({ verified: true }).where(eq(sessions.id, sessionId));
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: Db, userId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.userId, userId));
}

export async function purgeExpiredSessions(db: Db): Promise<void> {
	await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}
