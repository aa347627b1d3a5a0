/**
 * First start: there are no default passwords. An empty database gets either the admin named by
 * SB_ADMIN_EMAIL + SB_ADMIN_PASSWORD, or a one-time setup link printed on the console.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { setupTokens } from '../db/schema';
import { audit } from '../audit';
import { countAdmins, createUser } from '../users';
import { newToken, tokenDigest } from './tokens';

const SETUP_TTL_MS = 24 * 3_600_000;

export async function createSetupToken(db: Db): Promise<string> {
	const token = newToken();
	await db.insert(setupTokens).values({
		id: tokenDigest(token),
		purpose: 'first-admin',
		expiresAt: new Date(Date.now() + SETUP_TTL_MS)
	});
	return token;
}

export async function isSetupTokenValid(db: Db, token: string): Promise<boolean> {
	if ((await countAdmins(db)) > 0) return false;
	const [row] = await db
		.select()
		.from(setupTokens)
		.where(
			and(eq(setupTokens.id, tokenDigest(token)), isNull(setupTokens.usedAt), gt(setupTokens.expiresAt, new Date()))
		);
	return !!row;
}

export class SetupError extends Error {}

/** Creates the first admin and burns the token; refuses once an admin exists. */
export async function completeSetup(
	db: Db,
	token: string,
	input: { email: string; name: string; password: string },
	ip: string | null
): Promise<string> {
	if (!(await isSetupTokenValid(db, token))) throw new SetupError('this setup link is invalid, used or expired');
	const [burned] = await db
		.update(setupTokens)
		.set({ usedAt: new Date() })
		.where(and(eq(setupTokens.id, tokenDigest(token)), isNull(setupTokens.usedAt)))
		.returning({ id: setupTokens.id });
	if (!burned) throw new SetupError('this setup link was just used');
	const id = await createUser(db, { ...input, role: 'admin', teamIds: [] }, { id: null, ip });
	await audit(db, { actorId: id, action: 'setup.admin_created', target: id, ip });
	return id;
}

export type BootstrapOutcome =
	| { kind: 'existing' }
	| { kind: 'admin-from-env'; email: string }
	| { kind: 'setup-link'; token: string };

export async function bootstrapFirstAdmin(
	db: Db,
	env: { email?: string; password?: string; name?: string }
): Promise<BootstrapOutcome> {
	if ((await countAdmins(db)) > 0) return { kind: 'existing' };
	if (env.email && env.password) {
		await createUser(
			db,
			{ email: env.email, name: env.name ?? 'Administrator', password: env.password, role: 'admin', teamIds: [] },
			{ id: null }
		);
		return { kind: 'admin-from-env', email: env.email };
	}
	return { kind: 'setup-link', token: await createSetupToken(db) };
}
