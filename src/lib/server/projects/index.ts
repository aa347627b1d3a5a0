/**
 * Calling projects: settings, status, performers and the call-intensity (dispositions) table.
 * Validation with zod (field-level messages), audit row in the same transaction as the change.
 */
import { and, asc, count, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import type { Db, DbOrTx } from '../db';
import { dispositions, projectAgents, projectLeads, projects, teams, users, type WorkingHours } from '../db/schema';
import { audit } from '../audit';
import { DEFAULT_DISPOSITIONS } from './default-dispositions';

export type ProjectStatus = (typeof projects.$inferSelect)['status'];
export type Project = typeof projects.$inferSelect;
export type Disposition = typeof dispositions.$inferSelect;
export interface Actor {
	id: string | null;
	ip?: string | null;
}

export class NotFoundError extends Error {}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DAYS = [0, 1, 2, 3, 4, 5, 6] as const;

function validTimezone(tz: string): boolean {
	try {
		new Intl.DateTimeFormat('en', { timeZone: tz });
		return true;
	} catch {
		return false;
	}
}

const optionalText = (max: number) =>
	z
		.string()
		.trim()
		.max(max)
		.transform((v) => (v === '' ? null : v))
		.nullable()
		.optional();

const count0 = (max: number) => z.coerce.number({ message: 'expected a number' }).int('expected a whole number').min(0, 'cannot be negative').max(max, `at most ${max}`);

export const projectSettingsSchema = z
	.object({
		name: z.string().trim().min(1, 'required').max(120, 'at most 120 characters'),
		teamId: z
			.string()
			.trim()
			.transform((v) => (v === '' ? null : v))
			.pipe(z.string().uuid('unknown team').nullable())
			.nullable()
			.optional(),
		callerId: optionalText(32).refine((v) => v == null || /^\+?[0-9 ()-]{3,20}$/.test(v), 'expected a phone number like +33123456789'),
		timezone: z.string().trim().default('UTC').refine(validTimezone, 'unknown time zone (e.g. Europe/Paris)'),
		defaultRegion: z
			.string()
			.trim()
			.toUpperCase()
			.default('US')
			.refine((v) => /^[A-Z]{2}$/.test(v) && isSupportedCountry(v), 'expected a two-letter country code such as FR'),
		targetCalls: count0(10_000).default(100),
		targetTalkMinutes: count0(1440).default(120),
		targetMeetings: count0(1000).default(2),
		salesDirectorId: z
			.string()
			.trim()
			.transform((v) => (v === '' ? null : v))
			.pipe(z.string().uuid('unknown user').nullable())
			.nullable()
			.optional(),
		workingHours: z
			.record(z.string(), z.tuple([z.string().regex(TIME, 'expected HH:MM'), z.string().regex(TIME, 'expected HH:MM')]))
			.nullable()
			.optional()
			.refine((v) => !v || Object.values(v).every(([a, b]) => a < b), 'each day must end after it starts')
	})
	.strict();
export type ProjectSettings = z.input<typeof projectSettingsSchema>;

export const newProjectSchema = projectSettingsSchema.partial().required({ name: true });

export const scriptSchema = z.object({ script: z.string().max(100_000, 'at most 100,000 characters') });
export const letterSchema = z.object({
	letterSubject: z.string().trim().max(200, 'at most 200 characters'),
	letterBody: z.string().max(50_000, 'at most 50,000 characters')
});

/** Working hours from a form: wh_<day>_on, wh_<day>_from, wh_<day>_to. */
export function workingHoursFromForm(form: Record<string, unknown>): WorkingHours['days'] {
	const days: WorkingHours['days'] = {};
	for (const d of DAYS) {
		if (!form[`wh_${d}_on`]) continue;
		days[d] = [String(form[`wh_${d}_from`] ?? ''), String(form[`wh_${d}_to`] ?? '')];
	}
	return days;
}

function settingsValues(data: z.output<typeof projectSettingsSchema> | Partial<z.output<typeof projectSettingsSchema>>) {
	const { workingHours, ...rest } = data;
	return {
		...rest,
		...(workingHours !== undefined ? { workingHours: workingHours ? { days: workingHours as WorkingHours['days'] } : null } : {})
	};
}

export async function createProject(db: Db, input: Record<string, unknown>, actor: Actor): Promise<string> {
	const data = newProjectSchema.parse(input);
	return db.transaction(async (tx) => {
		const [row] = await tx
			.insert(projects)
			.values({ ...settingsValues(data), name: data.name })
			.returning({ id: projects.id });
		const id = row!.id;
		await tx.insert(dispositions).values(DEFAULT_DISPOSITIONS.map((d) => ({ ...d, projectId: id })));
		await audit(tx, { actorId: actor.id, action: 'project.created', target: id, details: { name: data.name }, ip: actor.ip });
		return id;
	});
}

async function mustExist(db: DbOrTx, id: string): Promise<Project> {
	const [p] = await db.select().from(projects).where(eq(projects.id, id));
	if (!p) throw new NotFoundError('project not found');
	return p;
}

export async function updateProjectSettings(db: Db, id: string, input: Record<string, unknown>, actor: Actor): Promise<void> {
	const data = projectSettingsSchema.parse(input);
	await db.transaction(async (tx) => {
		await mustExist(tx, id);
		await tx.update(projects).set(settingsValues(data)).where(eq(projects.id, id));
		await audit(tx, { actorId: actor.id, action: 'project.updated', target: id, details: { section: 'settings' }, ip: actor.ip });
	});
}

export async function updateScript(db: Db, id: string, input: Record<string, unknown>, actor: Actor): Promise<void> {
	const data = scriptSchema.parse(input);
	await db.transaction(async (tx) => {
		await mustExist(tx, id);
		await tx.update(projects).set(data).where(eq(projects.id, id));
		await audit(tx, { actorId: actor.id, action: 'project.updated', target: id, details: { section: 'script' }, ip: actor.ip });
	});
}

export async function updateLetter(db: Db, id: string, input: Record<string, unknown>, actor: Actor): Promise<void> {
	const data = letterSchema.parse(input);
	await db.transaction(async (tx) => {
		await mustExist(tx, id);
		await tx.update(projects).set(data).where(eq(projects.id, id));
		await audit(tx, { actorId: actor.id, action: 'project.updated', target: id, details: { section: 'letter' }, ip: actor.ip });
	});
}

/** Which status changes a manager may make: draft → active ⇄ paused, anything → done (archived) and back to paused. */
const TRANSITIONS: Record<ProjectStatus, ProjectStatus[]> = {
	draft: ['active', 'done'],
	active: ['paused', 'done'],
	paused: ['active', 'done'],
	done: ['paused']
};

export class TransitionError extends Error {}

export async function setProjectStatus(db: Db, id: string, status: ProjectStatus, actor: Actor): Promise<void> {
	await db.transaction(async (tx) => {
		const p = await mustExist(tx, id);
		if (p.status === status) return;
		if (!TRANSITIONS[p.status].includes(status)) throw new TransitionError(`a ${p.status} project cannot become ${status}`);
		await tx
			.update(projects)
			.set({ status, archivedAt: status === 'done' ? new Date() : null })
			.where(eq(projects.id, id));
		await audit(tx, { actorId: actor.id, action: 'project.status_changed', target: id, details: { from: p.status, to: status }, ip: actor.ip });
	});
}

export interface ProjectListRow {
	id: string;
	name: string;
	status: ProjectStatus;
	teamName: string | null;
	leads: number;
	agents: number;
	createdAt: Date;
}

export async function listProjects(db: DbOrTx, options: { archived?: boolean } = {}): Promise<ProjectListRow[]> {
	const leadCounts = db
		.select({ projectId: projectLeads.projectId, n: count().as('n') })
		.from(projectLeads)
		.groupBy(projectLeads.projectId)
		.as('lc');
	const agentCounts = db
		.select({ projectId: projectAgents.projectId, n: count().as('a') })
		.from(projectAgents)
		.groupBy(projectAgents.projectId)
		.as('ac');
	const rows = await db
		.select({
			id: projects.id,
			name: projects.name,
			status: projects.status,
			teamName: teams.name,
			leads: sql<number>`coalesce(${leadCounts.n}, 0)::int`,
			agents: sql<number>`coalesce(${agentCounts.n}, 0)::int`,
			createdAt: projects.createdAt
		})
		.from(projects)
		.leftJoin(teams, eq(teams.id, projects.teamId))
		.leftJoin(leadCounts, eq(leadCounts.projectId, projects.id))
		.leftJoin(agentCounts, eq(agentCounts.projectId, projects.id))
		.where(options.archived ? undefined : isNull(projects.archivedAt))
		.orderBy(asc(projects.name));
	return rows.map((r) => ({ ...r, leads: Number(r.leads), agents: Number(r.agents) }));
}

export async function getProject(db: DbOrTx, id: string): Promise<Project | null> {
	if (!z.string().uuid().safeParse(id).success) return null;
	const [p] = await db.select().from(projects).where(eq(projects.id, id));
	return p ?? null;
}

export async function countProjectLeads(db: DbOrTx, id: string): Promise<number> {
	const [r] = await db.select({ n: count() }).from(projectLeads).where(eq(projectLeads.projectId, id));
	return r?.n ?? 0;
}

// ─── performers ───────────────────────────────────────────────────────────

export async function listPerformers(db: DbOrTx, projectId: string): Promise<string[]> {
	const rows = await db.select({ userId: projectAgents.userId }).from(projectAgents).where(eq(projectAgents.projectId, projectId));
	return rows.map((r) => r.userId);
}

export async function setPerformers(db: Db, projectId: string, userIds: string[], actor: Actor): Promise<void> {
	const ids = z.array(z.string().uuid()).parse([...new Set(userIds)]);
	await db.transaction(async (tx) => {
		await mustExist(tx, projectId);
		if (ids.length) {
			const agents = await tx.select({ id: users.id }).from(users).where(and(inArray(users.id, ids), eq(users.role, 'agent')));
			if (agents.length !== ids.length) throw new z.ZodError([{ code: 'custom', path: ['userIds'], message: 'only agents can be performers', input: ids }]);
		}
		const before = await listPerformers(tx, projectId);
		await tx
			.delete(projectAgents)
			.where(and(eq(projectAgents.projectId, projectId), ids.length ? notInArray(projectAgents.userId, ids) : undefined));
		if (ids.length) await tx.insert(projectAgents).values(ids.map((userId) => ({ projectId, userId }))).onConflictDoNothing();
		await audit(tx, {
			actorId: actor.id,
			action: 'project.performers_changed',
			target: projectId,
			details: { added: ids.filter((i) => !before.includes(i)), removed: before.filter((i) => !ids.includes(i)) },
			ip: actor.ip
		});
	});
}

// ─── call intensity ─────────────────────────────────────────────────────────

export const DISPOSITION_KINDS = ['success', 'refusal', 'failure', 'callback', 'final'] as const;

const optionalInt = (min: number, max: number, message: string) =>
	z.preprocess(
		(v) => (v === '' || v == null ? null : v),
		z.coerce.number({ message }).int(message).min(min, message).max(max, message).nullable()
	);

export const dispositionSchema = z.object({
	id: z.preprocess((v) => (v === '' ? undefined : v), z.string().uuid().optional()),
	code: z
		.string()
		.trim()
		.toLowerCase()
		.regex(/^[a-z][a-z0-9_]{0,39}$/, 'letters, digits and _ (e.g. no_answer)'),
	label: z.string().trim().min(1, 'required').max(80, 'at most 80 characters'),
	hotkey: optionalInt(1, 9, 'a key from 1 to 9'),
	kind: z.enum(DISPOSITION_KINDS, { message: 'choose a kind' }),
	/** minutes in forms, seconds in the database */
	retryMinutes: optionalInt(1, 60 * 24 * 90, 'minutes, from 1 to 129600'),
	maxAttempts: optionalInt(1, 99, 'from 1 to 99'),
	isContact: z.coerce.boolean().default(false),
	isMeeting: z.coerce.boolean().default(false),
	marksPhoneBad: z.coerce.boolean().default(false)
});
export type DispositionInput = z.input<typeof dispositionSchema>;

/** Field errors keyed `<field>_<row>` so the editor shows each next to its cell. */
export class DispositionTableError extends Error {
	constructor(readonly errors: Record<string, string>) {
		super('the call-intensity table has errors');
	}
}

/** Rows of the editor form: fields named `<field>_<i>`, a row counts when its code or label is filled; `remove_<i>` drops it. */
export function dispositionRowsFromForm(form: Record<string, unknown>): { index: number; input: Record<string, unknown> }[] {
	const indices = new Set<number>();
	for (const key of Object.keys(form)) {
		const m = /^(?:code|label)_(\d+)$/.exec(key);
		if (m) indices.add(Number(m[1]));
	}
	const fields = ['id', 'code', 'label', 'hotkey', 'kind', 'retryMinutes', 'maxAttempts', 'isContact', 'isMeeting', 'marksPhoneBad'];
	return [...indices]
		.sort((a, b) => a - b)
		.filter((i) => !form[`remove_${i}`] && (String(form[`code_${i}`] ?? '').trim() || String(form[`label_${i}`] ?? '').trim()))
		.map((index) => ({ index, input: Object.fromEntries(fields.map((f) => [f, form[`${f}_${index}`]])) }));
}

export async function listDispositions(db: DbOrTx, projectId: string): Promise<Disposition[]> {
	return db.select().from(dispositions).where(eq(dispositions.projectId, projectId)).orderBy(asc(dispositions.sort), asc(dispositions.code));
}

/**
 * Replaces the table: rows with an id are updated (calls keep pointing at them), new rows inserted,
 * missing rows deleted. Codes and hotkeys must be unique; at least one row must remain.
 */
export async function saveDispositions(db: Db, projectId: string, rows: { index: number; input: Record<string, unknown> }[], actor: Actor): Promise<void> {
	const errors: Record<string, string> = {};
	const parsed: (z.output<typeof dispositionSchema> & { index: number })[] = [];
	for (const { index, input } of rows) {
		const r = dispositionSchema.safeParse(input);
		if (!r.success) {
			for (const issue of r.error.issues) errors[`${String(issue.path[0] ?? 'form')}_${index}`] ??= issue.message;
			continue;
		}
		parsed.push({ ...r.data, index });
	}
	const codes = new Map<string, number>();
	const keys = new Map<number, number>();
	for (const d of parsed) {
		if (codes.has(d.code)) errors[`code_${d.index}`] = 'this code is already used in the table';
		else codes.set(d.code, d.index);
		if (d.hotkey != null) {
			if (keys.has(d.hotkey)) errors[`hotkey_${d.index}`] = `key ${d.hotkey} is already used by another row`;
			else keys.set(d.hotkey, d.index);
		}
	}
	if (rows.length === 0) errors.form = 'keep at least one outcome';
	if (Object.keys(errors).length) throw new DispositionTableError(errors);

	await db.transaction(async (tx) => {
		await mustExist(tx, projectId);
		const existing = await listDispositions(tx, projectId);
		const existingIds = new Set(existing.map((d) => d.id));
		const keep = parsed.filter((d) => d.id && existingIds.has(d.id)).map((d) => d.id!);
		await tx
			.delete(dispositions)
			.where(and(eq(dispositions.projectId, projectId), keep.length ? notInArray(dispositions.id, keep) : undefined));
		// Clear hotkeys and codes first so swapping two keys does not trip the unique indexes mid-way.
		if (keep.length)
			await tx
				.update(dispositions)
				.set({ hotkey: null, code: sql`'~' || ${dispositions.id}::text` })
				.where(inArray(dispositions.id, keep));
		for (const [sort, d] of parsed.entries()) {
			const values = {
				code: d.code,
				label: d.label,
				hotkey: d.hotkey,
				kind: d.kind,
				retryAfter: d.retryMinutes == null ? null : d.retryMinutes * 60,
				maxAttempts: d.maxAttempts,
				isContact: d.isContact,
				isMeeting: d.isMeeting,
				marksPhoneBad: d.marksPhoneBad,
				sort
			};
			if (d.id && existingIds.has(d.id)) await tx.update(dispositions).set(values).where(eq(dispositions.id, d.id));
			else await tx.insert(dispositions).values({ ...values, projectId });
		}
		await audit(tx, {
			actorId: actor.id,
			action: 'project.dispositions_changed',
			target: projectId,
			details: { codes: parsed.map((d) => d.code) },
			ip: actor.ip
		});
	});
}
