/**
 * The hopper (DESIGN §2, issue 7): which lead an agent calls next. One statement claims it:
 * `UPDATE … WHERE id = coalesce(<candidate>, <candidate>, …)` where every candidate is a scalar
 * sub-select with `FOR UPDATE SKIP LOCKED LIMIT 1`, evaluated lazily and in due order:
 *
 *   0. the agent's own live claim (pressing Next twice, or reloading the page, gives the same lead);
 *   1. callbacks due now: personal ones (owner = this agent) first, then team ones (no owner);
 *   2. claims that expired (the agent walked away): handed out again before fresh work;
 *   3. retries whose `next_call_at` has passed, oldest first;
 *   4. new leads (never called, `next_call_at` null), in the order they were stored.
 *
 * Every candidate must be callable: lead neither blocked nor erased, at least one phone not marked
 * bad, no phone of the lead in `dnc`, attempts below the last disposition's `max_attempts`, and the
 * project's working hours open in the lead's timezone (the project's when the lead has none or an
 * unknown one). Rows being claimed by a concurrent transaction are skipped, never waited for, so no
 * lead ever goes to two agents. A claim sets `status = in_progress`, `locked_by`, `locked_until`;
 * it ends with a disposition (or `releaseLead`), or expires after `claimMs`.
 *
 * Working hours are evaluated in JS, once per project and minute, into the list of IANA zones that
 * are open (or closed) right now; SQL only tests membership — so a garbage timezone on an imported
 * lead can never make the claim statement fail.
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db';
import { queryRows, statementRows } from '../db/rows';
import { projects, type WorkingHours } from '../db/schema';

/** A claim lasts this long unless renewed (dialling renews it). */
export const CLAIM_MS = 10 * 60_000;

export interface ClaimRequest {
	agentId: string;
	projectId: string;
	now?: Date;
	claimMs?: number;
}

export interface Claim {
	projectLeadId: string;
	leadId: string;
	projectId: string;
	attempts: number;
	lockedUntil: Date;
}

export type ClaimRefusal = 'not_assigned' | 'inactive' | 'closed' | 'empty';
export type ClaimResult = { ok: true; claim: Claim } | { ok: false; reason: ClaimRefusal };

// ─── working hours ─────────────────────────────────────────────────────────

const formatters = new Map<string, Intl.DateTimeFormat | null>();
const WEEKDAYS: Record<string, 0 | 1 | 2 | 3 | 4 | 5 | 6> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(zone: string): Intl.DateTimeFormat | null {
	let f = formatters.get(zone);
	if (f === undefined) {
		try {
			f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
		} catch {
			f = null;
		}
		formatters.set(zone, f);
	}
	return f;
}

/** Day of week and HH:MM of `at` in `zone`, or null for an unknown zone. */
export function localClock(at: Date, zone: string): { day: 0 | 1 | 2 | 3 | 4 | 5 | 6; hhmm: string } | null {
	const f = formatter(zone);
	if (!f) return null;
	let day: 0 | 1 | 2 | 3 | 4 | 5 | 6 = 0;
	let hour = '00';
	let minute = '00';
	for (const p of f.formatToParts(at)) {
		if (p.type === 'weekday') day = WEEKDAYS[p.value] ?? 0;
		else if (p.type === 'hour') hour = p.value.padStart(2, '0');
		else if (p.type === 'minute') minute = p.value.padStart(2, '0');
	}
	return { day, hhmm: `${hour}:${minute}` };
}

/** Are `hours` open at `at` in `zone`? No hours at all means always open; an unknown zone is closed. */
export function isOpen(hours: WorkingHours | null | undefined, zone: string, at: Date): boolean {
	if (!hours) return true;
	const local = localClock(at, zone);
	if (!local) return false;
	const range = hours.days[local.day];
	if (!range) return false;
	const [from, to] = range;
	return from <= local.hhmm && local.hhmm < to;
}

let allZones: string[] | null = null;
function zones(): string[] {
	allZones ??= Intl.supportedValuesOf('timeZone');
	return allZones;
}

export interface ZoneWindow {
	projectOpen: boolean;
	/** when the project is open: the (known) zones that are closed now; otherwise the ones open now */
	exceptions: string[];
}
const windows = new Map<string, ZoneWindow>();

/** Which lead timezones may be called at `at`, cached per (hours, project zone, minute). */
export function zoneWindow(hours: WorkingHours | null | undefined, projectZone: string, at: Date): ZoneWindow {
	if (!hours) return { projectOpen: true, exceptions: [] };
	const minute = Math.floor(at.getTime() / 60_000);
	const key = `${minute}\0${projectZone}\0${JSON.stringify(hours.days)}`;
	let w = windows.get(key);
	if (!w) {
		const projectOpen = isOpen(hours, projectZone, at);
		const exceptions = zones().filter((z) => isOpen(hours, z, at) !== projectOpen);
		w = { projectOpen, exceptions };
		if (windows.size > 256) windows.clear();
		windows.set(key, w);
	}
	return w;
}

// ─── the claim ─────────────────────────────────────────────────────────────

type ZoneVariant = 'all' | 'except' | 'only';

function zoneVariant(w: ZoneWindow): ZoneVariant {
	if (w.projectOpen) return w.exceptions.length ? 'except' : 'all';
	return 'only';
}

const ZONE_CONDITION: Record<ZoneVariant, string> = {
	all: 'true',
	except: `not (coalesce(l.timezone, '') = any(array(select jsonb_array_elements_text($5::jsonb))))`,
	only: `l.timezone = any(array(select jsonb_array_elements_text($5::jsonb)))`
};

function callable(variant: ZoneVariant): string {
	return `l.blocked_at is null and l.erased_at is null and ${ZONE_CONDITION[variant]}
		and exists (select 1 from lead_phones ph where ph.lead_id = pl.lead_id and ph.bad_at is null)
		and not exists (select 1 from lead_phones ph join dnc d on d.e164 = ph.e164 where ph.lead_id = pl.lead_id)
		and not exists (select 1 from dispositions dd where dd.id = pl.last_disposition_id
			and dd.max_attempts is not null and pl.attempts >= dd.max_attempts)`;
}

/**
 * The whole claim in one statement and one round trip, without an explicit transaction: the gate
 * (an active project this agent works on) is a pair of one-time filters evaluated before any
 * candidate, and the text is fixed per zone variant, so it is prepared and planned once per
 * connection.
 *
 * `synchronous_commit` is off for this statement's own transaction (set_config(…, true) lasts until
 * its commit): the claim does not wait for its WAL to reach the disk. Visibility and row locks are
 * unchanged — a concurrent claim sees it committed at once — so no lead can go to two agents; what
 * a crash of Postgres may lose is a claim made in the last few hundred milliseconds before it (the
 * WAL writer flushes within 3 × wal_writer_delay, and any later durable commit flushes it too).
 * That is harmless: a claim is a lease that expires anyway, the lead simply reverts to its state
 * before the claim and goes to the next agent who presses Next, and the agent who was told "yours"
 * cannot act on it — dialling, dispositions, card edits and letters all require
 * `locked_by = agent and status = 'in_progress'`, so they refuse ('not_yours') and the workstation
 * asks for the next lead. Dispositions keep the default (durable) commit.
 *
 * Parameters: $1 agent, $2 project, $3 now, $4 claim end, $5 the zone exceptions as a JSON array
 * (absent when every zone is open). Numbered by hand so each value is sent once, not once per use
 * (18 parameters through the query builder).
 */
function claimStatement(variant: ZoneVariant): string {
	const ok = callable(variant);
	const from = 'from project_leads pl join leads l on l.id = pl.lead_id where pl.project_id = $2::uuid';
	return `update project_leads set status = 'in_progress', locked_by = $1::uuid, locked_until = $4::timestamptz
	where (select set_config('synchronous_commit', 'off', true)) is not null
		and exists (select 1 from projects p where p.id = $2::uuid and p.status = 'active')
		and exists (select 1 from project_agents pa where pa.project_id = $2::uuid and pa.user_id = $1::uuid)
		and project_leads.id = coalesce(
		(select pl.id from project_leads pl where pl.project_id = $2::uuid and pl.status = 'in_progress'
			and pl.locked_by = $1::uuid and pl.locked_until > $3::timestamptz
			order by pl.locked_until desc limit 1),
		(select pl.id ${from} and pl.status = 'callback' and pl.next_call_at <= $3::timestamptz
			and (pl.owner_id = $1::uuid or pl.owner_id is null) and ${ok}
			order by (pl.owner_id is null), pl.next_call_at, pl.id limit 1 for update of pl skip locked),
		(select pl.id ${from} and pl.status = 'in_progress' and pl.locked_until <= $3::timestamptz
			and (pl.owner_id = $1::uuid or pl.owner_id is null) and ${ok}
			order by pl.locked_until, pl.id limit 1 for update of pl skip locked),
		(select pl.id ${from} and pl.status = 'new' and pl.next_call_at <= $3::timestamptz and ${ok}
			order by pl.next_call_at limit 1 for update of pl skip locked),
		(select pl.id ${from} and pl.status = 'new' and pl.next_call_at is null and ${ok}
			order by pl.created_at limit 1 for update of pl skip locked)
	)
	returning id, lead_id, attempts, locked_until`;
}

const CLAIM_STATEMENTS: Record<ZoneVariant, string> = {
	all: claimStatement('all'),
	except: claimStatement('except'),
	only: claimStatement('only')
};

interface ClaimedRow {
	id: string;
	lead_id: string;
	attempts: number;
	locked_until: Date | string | null;
}

function prepareGate(db: Db) {
	return db
		.select({
			status: projects.status,
			workingHours: projects.workingHours,
			timezone: projects.timezone,
			assigned: sql<boolean>`exists (select 1 from project_agents pa where pa.project_id = ${projects.id} and pa.user_id = ${sql.placeholder('agent')}::uuid)`
		})
		.from(projects)
		.where(sql`${projects.id} = ${sql.placeholder('project')}::uuid`)
		.prepare('hopper_gate');
}

type Gate = ReturnType<typeof prepareGate>;
const gates = new WeakMap<Db, Gate>();

function gateStatement(db: Db): Gate {
	let g = gates.get(db);
	if (!g) {
		g = prepareGate(db);
		gates.set(db, g);
	}
	return g;
}

/** Working hours and zone per project, re-read at most every few seconds. */
const GATE_TTL_MS = 5_000;
const hoursCache = new Map<string, { hours: WorkingHours | null; timezone: string; at: number }>();

async function projectHours(db: Db, agentId: string, projectId: string, fresh = false) {
	const cached = hoursCache.get(projectId);
	if (!fresh && cached && Date.now() - cached.at < GATE_TTL_MS) return { ...cached, gate: null };
	const [gate] = await gateStatement(db).execute({ agent: agentId, project: projectId });
	if (!gate) return null;
	const entry = { hours: gate.workingHours, timezone: gate.timezone, at: Date.now() };
	if (hoursCache.size > 1000) hoursCache.clear();
	hoursCache.set(projectId, entry);
	return { ...entry, gate };
}

/**
 * Claims the next lead of `projectId` for `agentId` (see the file comment for the order). One round
 * trip in the usual case: the project's working hours are cached for a few seconds, and the checks
 * that must be exact (project active, agent assigned) are part of the claim statement.
 */
export async function claimNextLead(db: Db, request: ClaimRequest): Promise<ClaimResult> {
	const now = request.now ?? new Date();
	const until = new Date(now.getTime() + (request.claimMs ?? CLAIM_MS));
	const hours = await projectHours(db, request.agentId, request.projectId);
	if (!hours) return { ok: false, reason: 'not_assigned' };
	if (hours.gate && !hours.gate.assigned) return { ok: false, reason: 'not_assigned' };
	if (hours.gate && hours.gate.status !== 'active') return { ok: false, reason: 'inactive' };
	const window = zoneWindow(hours.hours, hours.timezone, now);
	if (!window.projectOpen && window.exceptions.length === 0) return { ok: false, reason: 'closed' };
	const variant = zoneVariant(window);
	const params: unknown[] = [request.agentId, request.projectId, now.toISOString(), until.toISOString()];
	if (variant !== 'all') params.push(JSON.stringify(window.exceptions));
	const [row] = await statementRows<ClaimedRow>(db, CLAIM_STATEMENTS[variant], params);
	if (!row) {
		// why: read the gate afresh (it may have changed since it was cached)
		const again = hours.gate ? hours : await projectHours(db, request.agentId, request.projectId, true);
		if (!again?.gate || !again.gate.assigned) return { ok: false, reason: 'not_assigned' };
		if (again.gate.status !== 'active') return { ok: false, reason: 'inactive' };
		return { ok: false, reason: 'empty' };
	}
	return {
		ok: true,
		claim: {
			projectLeadId: row.id,
			leadId: row.lead_id,
			projectId: request.projectId,
			attempts: Number(row.attempts),
			lockedUntil: row.locked_until ? new Date(row.locked_until) : until
		}
	};
}

/** The agent's live claim in a project (or any project), if any. */
export async function currentClaim(db: DbOrTx, agentId: string, projectId?: string, now = new Date()): Promise<Claim | null> {
	const rows = await queryRows<{ id: string; lead_id: string; project_id: string; attempts: number; locked_until: Date | string }>(
		db,
		sql`select id, lead_id, project_id, attempts, locked_until from project_leads
			where locked_by = ${agentId} and status = 'in_progress' and locked_until > ${now.toISOString()}::timestamptz
			${projectId ? sql`and project_id = ${projectId}` : sql``}
			order by locked_until desc limit 1`
	);
	const row = rows[0];
	return row
		? { projectLeadId: row.id, leadId: row.lead_id, projectId: row.project_id, attempts: Number(row.attempts), lockedUntil: new Date(row.locked_until) }
		: null;
}

/**
 * Is `leadId` claimed by `agentId` right now? Returns the project lead (dialling needs the project)
 * and renews the claim, so a long call does not let the lead expire under the agent.
 */
export async function renewClaim(
	db: DbOrTx,
	agentId: string,
	leadId: string,
	now = new Date(),
	claimMs = CLAIM_MS
): Promise<{ projectLeadId: string; projectId: string } | null> {
	const rows = await queryRows<{ id: string; project_id: string }>(
		db,
		sql`update project_leads set locked_until = ${new Date(now.getTime() + claimMs).toISOString()}::timestamptz
			where lead_id = ${leadId} and locked_by = ${agentId} and status = 'in_progress'
			returning id, project_id`
	);
	const row = rows[0];
	return row ? { projectLeadId: row.id, projectId: row.project_id } : null;
}

/**
 * Gives a claimed lead back without a disposition (no attempt counted): a callback stays a
 * callback, anything else is new/retry again. Only the agent holding it can release it.
 */
export async function releaseLead(db: DbOrTx, agentId: string, projectLeadId: string): Promise<boolean> {
	const rows = await queryRows<{ id: string }>(
		db,
		sql`update project_leads pl set locked_by = null, locked_until = null,
			status = case when exists (select 1 from dispositions d where d.id = pl.last_disposition_id and d.kind = 'callback')
				then 'callback'::project_lead_status else 'new'::project_lead_status end
			where pl.id = ${projectLeadId} and pl.locked_by = ${agentId} and pl.status = 'in_progress'
			returning pl.id`
	);
	return rows.length > 0;
}
