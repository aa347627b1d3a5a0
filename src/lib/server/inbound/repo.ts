/**
 * Skills, agent levels, managed queues and supervisors' membership overrides. Every change is
 * audited in the same transaction and announced with `onInboundChanged` so the leader re-applies
 * queue membership to the PBX at once (and, as a backstop, on its own schedule).
 */
import { and, asc, eq, gte, isNotNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { QueueMemberChange } from '$lib/protocol';
import type { DbOrTx } from '../db';
import { agentSkills, calls, queueMemberOverrides, queues, skills, users } from '../db/schema';
import { audit } from '../audit';
import { floorDirectory } from '../users';
import {
	desiredMembership,
	MAX_PENALTY,
	MAX_SKILL_LEVEL,
	MIN_SKILL_LEVEL,
	type DesiredMembership,
	type ManagedQueue
} from './membership';

export interface Actor {
	id: string | null;
	ip?: string | null;
}

export class InboundConflictError extends Error {}

// ─── change signal ─────────────────────────────────────────────────────────

type Listener = () => void;
const LISTENERS_KEY = Symbol.for('switchboard.inbound.listeners');
const globalListeners = globalThis as typeof globalThis & { [LISTENERS_KEY]?: Set<Listener> };
/** Shared by the SvelteKit bundle and the realtime bundle of one process (two module copies). */
const listeners: Set<Listener> = (globalListeners[LISTENERS_KEY] ??= new Set());

/** Called after every committed change to skills, levels, queues or overrides. */
export function onInboundChanged(listener: Listener): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}
function announce(): void {
	for (const l of listeners) l();
}

// ─── skills ────────────────────────────────────────────────────────────────

const skillName = z.string().trim().min(1, 'required').max(60, 'at most 60 characters');
const uuidSchema = z.string().uuid('unknown id');

export async function listSkills(db: DbOrTx): Promise<{ id: string; name: string }[]> {
	return db.select({ id: skills.id, name: skills.name }).from(skills).orderBy(asc(skills.name));
}

export async function createSkill(db: DbOrTx, rawName: string, actor: Actor): Promise<string> {
	const name = skillName.parse(rawName);
	const id = await db.transaction(async (tx) => {
		const [row] = await tx.insert(skills).values({ name }).onConflictDoNothing().returning({ id: skills.id });
		if (!row) throw new InboundConflictError(`a skill named “${name}” already exists`);
		await audit(tx, { actorId: actor.id, action: 'skill.changed', target: row.id, details: { created: name }, ip: actor.ip });
		return row.id;
	});
	announce();
	return id;
}

export async function deleteSkill(db: DbOrTx, id: string, actor: Actor): Promise<void> {
	const skillId = uuidSchema.parse(id);
	await db.transaction(async (tx) => {
		const [row] = await tx.delete(skills).where(eq(skills.id, skillId)).returning({ name: skills.name });
		if (!row) throw new InboundConflictError('this skill no longer exists');
		// queues that required it no longer do
		const affected = await tx.select({ id: queues.id, skills: queues.skills }).from(queues);
		for (const q of affected) {
			const kept = q.skills.filter((s) => s.skillId !== skillId);
			if (kept.length !== q.skills.length) await tx.update(queues).set({ skills: kept }).where(eq(queues.id, q.id));
		}
		await audit(tx, { actorId: actor.id, action: 'skill.changed', target: skillId, details: { deleted: row.name }, ip: actor.ip });
	});
	announce();
}

export const levelSchema = z.coerce
	.number({ message: `a level from ${MIN_SKILL_LEVEL} to ${MAX_SKILL_LEVEL}` })
	.int(`a level from ${MIN_SKILL_LEVEL} to ${MAX_SKILL_LEVEL}`)
	.min(MIN_SKILL_LEVEL, `a level from ${MIN_SKILL_LEVEL} to ${MAX_SKILL_LEVEL}`)
	.max(MAX_SKILL_LEVEL, `a level from ${MIN_SKILL_LEVEL} to ${MAX_SKILL_LEVEL}`);

/** Sets (or, with `level` null, removes) an agent's level in a skill. */
export async function setAgentLevel(db: DbOrTx, userId: string, skillId: string, level: number | null, actor: Actor): Promise<void> {
	const uid = uuidSchema.parse(userId);
	const sid = uuidSchema.parse(skillId);
	const value = level === null ? null : levelSchema.parse(level);
	await db.transaction(async (tx) => {
		const [agent] = await tx.select({ role: users.role }).from(users).where(eq(users.id, uid));
		if (!agent) throw new InboundConflictError('this user no longer exists');
		if (value === null) {
			await tx.delete(agentSkills).where(and(eq(agentSkills.userId, uid), eq(agentSkills.skillId, sid)));
		} else {
			await tx
				.insert(agentSkills)
				.values({ userId: uid, skillId: sid, level: value })
				.onConflictDoUpdate({ target: [agentSkills.userId, agentSkills.skillId], set: { level: value } });
		}
		await audit(tx, { actorId: actor.id, action: 'skill.changed', target: uid, details: { skillId: sid, level: value }, ip: actor.ip });
	});
	announce();
}

export async function listAgentLevels(db: DbOrTx): Promise<{ userId: string; skillId: string; level: number }[]> {
	return db.select({ userId: agentSkills.userId, skillId: agentSkills.skillId, level: agentSkills.level }).from(agentSkills);
}

// ─── queues ────────────────────────────────────────────────────────────────

export const queueInputSchema = z.object({
	id: z.string().uuid().optional(),
	// what queues.conf accepts as a section name, and nothing that could break an AMI header
	name: z
		.string()
		.trim()
		.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'the queue name as in queues.conf: letters, digits, _ . - (at most 64)'),
	teamId: z
		.string()
		.transform((v) => (v === '' ? null : v))
		.pipe(z.string().uuid().nullable())
		.default(''),
	projectId: z
		.string()
		.transform((v) => (v === '' ? null : v))
		.pipe(z.string().uuid().nullable())
		.default(''),
	skills: z
		.array(z.object({ skillId: z.string().uuid('unknown skill'), minLevel: levelSchema }))
		.max(20)
		.refine((list) => new Set(list.map((s) => s.skillId)).size === list.length, 'each skill once'),
	serviceLevelSeconds: z.coerce
		.number({ message: 'seconds, 1 to 3600' })
		.int('seconds, 1 to 3600')
		.min(1, 'seconds, 1 to 3600')
		.max(3600, 'seconds, 1 to 3600')
});
export type QueueInput = z.input<typeof queueInputSchema>;

export interface QueueRow extends ManagedQueue {
	projectId: string | null;
	serviceLevelSeconds: number;
}

export async function listQueues(db: DbOrTx): Promise<QueueRow[]> {
	return db
		.select({
			id: queues.id,
			name: queues.name,
			teamId: queues.teamId,
			projectId: queues.projectId,
			skills: queues.skills,
			serviceLevelSeconds: queues.serviceLevelSeconds
		})
		.from(queues)
		.orderBy(asc(queues.name));
}

export async function saveQueue(db: DbOrTx, raw: QueueInput, actor: Actor): Promise<string> {
	const input = queueInputSchema.parse(raw);
	const values = {
		name: input.name,
		teamId: input.teamId,
		projectId: input.projectId,
		skills: input.skills,
		serviceLevelSeconds: input.serviceLevelSeconds
	};
	const id = await db.transaction(async (tx) => {
		const [clash] = await tx.select({ id: queues.id }).from(queues).where(eq(queues.name, input.name));
		if (clash && clash.id !== input.id) throw new InboundConflictError(`queue “${input.name}” is already managed`);
		let rowId = input.id;
		if (rowId) {
			const [row] = await tx.update(queues).set(values).where(eq(queues.id, rowId)).returning({ id: queues.id });
			if (!row) throw new InboundConflictError('this queue no longer exists');
		} else {
			const [row] = await tx.insert(queues).values(values).returning({ id: queues.id });
			rowId = row!.id;
		}
		await audit(tx, { actorId: actor.id, action: 'queue.changed', target: rowId, details: { ...values }, ip: actor.ip });
		return rowId;
	});
	announce();
	return id;
}

export async function deleteQueue(db: DbOrTx, id: string, actor: Actor): Promise<void> {
	const qid = uuidSchema.parse(id);
	await db.transaction(async (tx) => {
		const [row] = await tx.delete(queues).where(eq(queues.id, qid)).returning({ name: queues.name });
		if (!row) throw new InboundConflictError('this queue no longer exists');
		await audit(tx, { actorId: actor.id, action: 'queue.changed', target: qid, details: { deleted: row.name }, ip: actor.ip });
	});
	announce();
}

// ─── overrides (supervisor control from the board) ─────────────────────────

export type MemberChange = QueueMemberChange;

export const memberChangeSchema = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('add'), penalty: z.number().int().min(0).max(MAX_PENALTY).optional() }),
	z.object({ kind: z.literal('remove') }),
	z.object({ kind: z.literal('penalty'), penalty: z.number().int().min(0).max(MAX_PENALTY) }),
	z.object({ kind: z.literal('reset') })
]);

/** A supervisor adds/removes an agent or sets a penalty; `reset` returns to the skills rule. */
export async function changeMember(db: DbOrTx, queueName: string, userId: string, change: MemberChange, actor: Actor): Promise<void> {
	const parsed = memberChangeSchema.parse(change);
	await db.transaction(async (tx) => {
		const [q] = await tx.select({ id: queues.id }).from(queues).where(eq(queues.name, queueName));
		if (!q) throw new InboundConflictError(`queue “${queueName}” is not managed by Switchboard`);
		const key = and(eq(queueMemberOverrides.queueId, q.id), eq(queueMemberOverrides.userId, userId));
		if (parsed.kind === 'reset') {
			await tx.delete(queueMemberOverrides).where(key);
		} else {
			const member = parsed.kind !== 'remove';
			const penalty = parsed.kind === 'remove' ? null : (parsed.penalty ?? null);
			await tx
				.insert(queueMemberOverrides)
				.values({ queueId: q.id, userId, member, penalty, updatedBy: actor.id })
				.onConflictDoUpdate({
					target: [queueMemberOverrides.queueId, queueMemberOverrides.userId],
					set: { member, penalty, updatedBy: actor.id, updatedAt: sql`now()` }
				});
		}
		await audit(tx, {
			actorId: actor.id,
			action: 'queue.member_changed',
			target: userId,
			details: { queue: queueName, ...parsed },
			ip: actor.ip
		});
	});
	announce();
}

// ─── what the leader applies ───────────────────────────────────────────────

/** The whole desired membership of every managed queue, from the database. */
export async function loadDesiredMembership(db: DbOrTx): Promise<DesiredMembership> {
	const [queueRows, agents, levels, overrides] = await Promise.all([
		listQueues(db),
		floorDirectory(db),
		listAgentLevels(db),
		db
			.select({
				queueId: queueMemberOverrides.queueId,
				userId: queueMemberOverrides.userId,
				member: queueMemberOverrides.member,
				penalty: queueMemberOverrides.penalty
			})
			.from(queueMemberOverrides)
	]);
	const byAgent = new Map<string, Map<string, number>>();
	for (const l of levels) {
		let m = byAgent.get(l.userId);
		if (!m) byAgent.set(l.userId, (m = new Map()));
		m.set(l.skillId, l.level);
	}
	return desiredMembership(
		queueRows,
		agents.map((a) => ({ ...a, levels: byAgent.get(a.id) ?? new Map<string, number>() })),
		overrides
	);
}

/** queue name → service-level threshold (seconds), for the live counters. */
export async function serviceLevelSettings(db: DbOrTx): Promise<Record<string, number>> {
	const rows = await db.select({ name: queues.name, sl: queues.serviceLevelSeconds }).from(queues);
	return Object.fromEntries(rows.map((r) => [r.name, r.sl]));
}

// ─── daily service-level table ─────────────────────────────────────────────

export interface ServiceLevelRow {
	queue: string;
	offered: number;
	answered: number;
	answeredInSl: number;
	abandoned: number;
	avgWaitSeconds: number | null;
	longestWaitSeconds: number | null;
	serviceLevelSeconds: number;
}

/**
 * Per queue, inbound calls that started in [from, to): offered, answered (an agent took it),
 * answered within the queue's threshold, abandoned (ended unanswered), and waits (answer − start).
 */
export async function serviceLevelTable(db: DbOrTx, from: Date, to: Date): Promise<ServiceLevelRow[]> {
	const wait = sql<number>`extract(epoch from (${calls.answeredAt} - ${calls.startedAt}))`;
	const answered = sql`${calls.answeredAt} is not null and ${calls.agentId} is not null`;
	const sl = sql`coalesce(${queues.serviceLevelSeconds}, 20)`;
	const rows = await db
		.select({
			queue: calls.queue,
			offered: sql<number>`count(*)::int`,
			answered: sql<number>`(count(*) filter (where ${answered}))::int`,
			answeredInSl: sql<number>`(count(*) filter (where ${answered} and ${wait} <= ${sl}))::int`,
			// a caller still waiting has been offered but has not given up (yet)
			abandoned: sql<number>`(count(*) filter (where not (${answered}) and ${calls.endedAt} is not null))::int`,
			avgWaitSeconds: sql<number | null>`(avg(${wait}) filter (where ${answered}))::float8`,
			longestWaitSeconds: sql<number | null>`(max(${wait}) filter (where ${answered}))::float8`,
			serviceLevelSeconds: sql<number>`max(${sl})::int`
		})
		.from(calls)
		.leftJoin(queues, eq(queues.name, calls.queue))
		.where(and(eq(calls.direction, 'in'), isNotNull(calls.queue), gte(calls.startedAt, from), lt(calls.startedAt, to)))
		.groupBy(calls.queue)
		.orderBy(asc(calls.queue));
	return rows.map((r) => ({ ...r, queue: r.queue ?? '' }));
}
