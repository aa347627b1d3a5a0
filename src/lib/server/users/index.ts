/**
 * Users and teams: the admin pages' repository. Every change that matters for security
 * (role, teams, disable) writes its audit row in the same transaction.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Role } from '$lib/protocol';
import type { Db, DbOrTx } from '../db';
import { teamMembers, teams, users } from '../db/schema';
import { audit } from '../audit';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import { invalidateUserSessions } from '../auth/session';

export const ENDPOINT_PATTERN = /^(PJSIP|SIP|IAX2|DAHDI|Local)\/[A-Za-z0-9_.@+-]{1,64}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

const roleSchema = z.enum(['admin', 'manager', 'supervisor', 'agent']);
const optionalText = z
	.string()
	.trim()
	.transform((v) => (v === '' ? null : v))
	.nullable()
	.optional();

export const userInputSchema = z.object({
	email: z.string().trim().toLowerCase().email('not a valid e-mail address'),
	name: z.string().trim().min(1, 'required').max(120),
	role: roleSchema,
	endpoint: optionalText.refine((v) => v == null || ENDPOINT_PATTERN.test(v), 'expected a dial string like PJSIP/1001'),
	mobile: optionalText.refine((v) => v == null || E164.test(v), 'expected an international number like +33612345678'),
	teamIds: z.array(z.string().uuid()).default([]),
	locale: z.enum(['en', 'fr']).nullable().optional()
});
export type UserInput = z.infer<typeof userInputSchema>;

export const newUserSchema = userInputSchema.extend({
	password: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(256)
});

export interface UserRow {
	id: string;
	email: string;
	name: string;
	role: Role;
	endpoint: string | null;
	mobile: string | null;
	locale: string | null;
	disabled: boolean;
	hasTotp: boolean;
	teamIds: string[];
}

export class UserConflictError extends Error {
	constructor(
		readonly field: 'email' | 'endpoint',
		message: string
	) {
		super(message);
	}
}

async function assertUnique(db: DbOrTx, input: { email: string; endpoint?: string | null }, exceptId?: string) {
	const [byEmail] = await db
		.select({ id: users.id })
		.from(users)
		.where(sql`lower(${users.email}) = ${input.email.toLowerCase()}`);
	if (byEmail && byEmail.id !== exceptId) throw new UserConflictError('email', 'a user with this e-mail already exists');
	if (input.endpoint) {
		const [byEndpoint] = await db.select({ id: users.id }).from(users).where(eq(users.endpoint, input.endpoint));
		if (byEndpoint && byEndpoint.id !== exceptId)
			throw new UserConflictError('endpoint', 'this endpoint is already assigned to another user');
	}
}

async function setTeams(db: DbOrTx, userId: string, teamIds: string[]): Promise<void> {
	await db.delete(teamMembers).where(eq(teamMembers.userId, userId));
	if (teamIds.length) await db.insert(teamMembers).values(teamIds.map((teamId) => ({ teamId, userId })));
}

export async function createUser(
	db: Db,
	/** validated here: a typed object or a raw form */
	input: z.input<typeof newUserSchema> | Record<string, unknown>,
	actor: { id: string | null; ip?: string | null }
): Promise<string> {
	const data = newUserSchema.parse(input);
	const passwordHash = await hashPassword(data.password);
	return db.transaction(async (tx) => {
		await assertUnique(tx, data);
		const [row] = await tx
			.insert(users)
			.values({
				email: data.email,
				name: data.name,
				role: data.role,
				endpoint: data.endpoint ?? null,
				mobile: data.mobile ?? null,
				locale: data.locale ?? null,
				passwordHash
			})
			.returning({ id: users.id });
		const id = row!.id;
		await setTeams(tx, id, data.teamIds);
		await audit(tx, {
			actorId: actor.id,
			action: 'user.created',
			target: id,
			details: { email: data.email, role: data.role, teamIds: data.teamIds },
			ip: actor.ip
		});
		return id;
	});
}

export async function updateUser(
	db: Db,
	id: string,
	/** validated here: a typed object or a raw form */
	input: z.input<typeof userInputSchema> | Record<string, unknown>,
	actor: { id: string; ip?: string | null }
): Promise<void> {
	const data = userInputSchema.parse(input);
	await db.transaction(async (tx) => {
		const before = await getUser(tx, id);
		if (!before) throw new Error('user not found');
		await assertUnique(tx, data, id);
		await tx
			.update(users)
			.set({
				email: data.email,
				name: data.name,
				role: data.role,
				endpoint: data.endpoint ?? null,
				mobile: data.mobile ?? null,
				locale: data.locale ?? before.locale
			})
			.where(eq(users.id, id));
		await audit(tx, { actorId: actor.id, action: 'user.updated', target: id, ip: actor.ip });
		if (before.role !== data.role) {
			await audit(tx, {
				actorId: actor.id,
				action: 'user.role_changed',
				target: id,
				details: { from: before.role, to: data.role },
				ip: actor.ip
			});
		}
		const sortedBefore = [...before.teamIds].sort().join(',');
		const sortedAfter = [...data.teamIds].sort().join(',');
		if (sortedBefore !== sortedAfter) {
			await setTeams(tx, id, data.teamIds);
			await audit(tx, {
				actorId: actor.id,
				action: 'user.teams_changed',
				target: id,
				details: { from: before.teamIds, to: data.teamIds },
				ip: actor.ip
			});
		}
	});
	// A role change must take effect now, not at the next login.
	const after = await getUser(db, id);
	if (after && after.role !== data.role) await invalidateUserSessions(db, id);
}

export async function setUserDisabled(
	db: Db,
	id: string,
	disabled: boolean,
	actor: { id: string; ip?: string | null }
): Promise<void> {
	if (disabled && id === actor.id) throw new Error('you cannot disable your own account');
	await db.transaction(async (tx) => {
		await tx
			.update(users)
			.set({ disabledAt: disabled ? new Date() : null })
			.where(eq(users.id, id));
		await audit(tx, { actorId: actor.id, action: disabled ? 'user.disabled' : 'user.enabled', target: id, ip: actor.ip });
	});
	if (disabled) await invalidateUserSessions(db, id);
}

export async function resetPassword(
	db: Db,
	id: string,
	password: string,
	actor: { id: string; ip?: string | null }
): Promise<void> {
	const passwordHash = await hashPassword(password);
	await db.transaction(async (tx) => {
		await tx.update(users).set({ passwordHash }).where(eq(users.id, id));
		await audit(tx, { actorId: actor.id, action: 'user.password_reset', target: id, ip: actor.ip });
	});
	await invalidateUserSessions(db, id);
}

function toRow(u: typeof users.$inferSelect, teamIds: string[]): UserRow {
	return {
		id: u.id,
		email: u.email,
		name: u.name,
		role: u.role,
		endpoint: u.endpoint,
		mobile: u.mobile,
		locale: u.locale,
		disabled: !!u.disabledAt,
		hasTotp: !!u.totpSecret,
		teamIds
	};
}

export async function getUser(db: DbOrTx, id: string): Promise<UserRow | null> {
	const [u] = await db.select().from(users).where(eq(users.id, id));
	if (!u) return null;
	const t = await db.select({ teamId: teamMembers.teamId }).from(teamMembers).where(eq(teamMembers.userId, id));
	return toRow(
		u,
		t.map((x) => x.teamId)
	);
}

export async function listUsers(db: DbOrTx, filter: { teamIds?: string[]; role?: Role } = {}): Promise<UserRow[]> {
	const conds = [];
	if (filter.role) conds.push(eq(users.role, filter.role));
	if (filter.teamIds) {
		if (!filter.teamIds.length) return [];
		conds.push(
			inArray(
				users.id,
				db.select({ id: teamMembers.userId }).from(teamMembers).where(inArray(teamMembers.teamId, filter.teamIds))
			)
		);
	}
	const rows = await db
		.select()
		.from(users)
		.where(conds.length ? and(...conds) : undefined)
		.orderBy(asc(users.name));
	const memberships = rows.length
		? await db.select().from(teamMembers).where(inArray(teamMembers.userId, rows.map((r) => r.id)))
		: [];
	const byUser = new Map<string, string[]>();
	for (const m of memberships) byUser.set(m.userId, [...(byUser.get(m.userId) ?? []), m.teamId]);
	return rows.map((u) => toRow(u, byUser.get(u.id) ?? []));
}

export async function countUsers(db: DbOrTx): Promise<number> {
	const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
	return Number(r?.n ?? 0);
}

export async function countAdmins(db: DbOrTx): Promise<number> {
	const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.role, 'admin'));
	return Number(r?.n ?? 0);
}

// ─── teams ────────────────────────────────────────────────────────────────

export const teamNameSchema = z.string().trim().min(1, 'required').max(80);

export async function listTeams(db: DbOrTx): Promise<{ id: string; name: string; members: number }[]> {
	const rows = await db
		.select({ id: teams.id, name: teams.name, members: sql<number>`count(${teamMembers.userId})::int` })
		.from(teams)
		.leftJoin(teamMembers, eq(teamMembers.teamId, teams.id))
		.groupBy(teams.id, teams.name)
		.orderBy(asc(teams.name));
	return rows.map((r) => ({ ...r, members: Number(r.members) }));
}

export class TeamConflictError extends Error {}

export async function createTeam(db: Db, name: string, actor: { id: string | null; ip?: string | null }): Promise<string> {
	const clean = teamNameSchema.parse(name);
	return db.transaction(async (tx) => {
		const [exists] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.name, clean));
		if (exists) throw new TeamConflictError('a team with this name already exists');
		const [row] = await tx.insert(teams).values({ name: clean }).returning({ id: teams.id });
		await audit(tx, { actorId: actor.id, action: 'team.created', target: row!.id, details: { name: clean }, ip: actor.ip });
		return row!.id;
	});
}

export async function renameTeam(db: Db, id: string, name: string, actor: { id: string; ip?: string | null }) {
	const clean = teamNameSchema.parse(name);
	await db.transaction(async (tx) => {
		const [exists] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.name, clean));
		if (exists && exists.id !== id) throw new TeamConflictError('a team with this name already exists');
		await tx.update(teams).set({ name: clean }).where(eq(teams.id, id));
		await audit(tx, { actorId: actor.id, action: 'team.renamed', target: id, details: { name: clean }, ip: actor.ip });
	});
}

export async function deleteTeam(db: Db, id: string, actor: { id: string; ip?: string | null }) {
	await db.transaction(async (tx) => {
		await tx.delete(teams).where(eq(teams.id, id));
		await audit(tx, { actorId: actor.id, action: 'team.deleted', target: id, ip: actor.ip });
	});
}

/** Agents that can appear on the floor: enabled, with a phone endpoint. One query, refreshed by the hub. */
export async function floorDirectory(db: DbOrTx): Promise<{ id: string; name: string; endpoint: string; teamIds: string[] }[]> {
	const rows = await listUsers(db, { role: 'agent' });
	return rows
		.filter((u): u is UserRow & { endpoint: string } => !u.disabled && !!u.endpoint)
		.map((u) => ({ id: u.id, name: u.name, endpoint: u.endpoint, teamIds: u.teamIds }));
}
