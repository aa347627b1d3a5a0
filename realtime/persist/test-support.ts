/**
 * Test support (not used at runtime): effect builders, table dumps, a database that can be "down",
 * hand-fired timers and a collecting logger.
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../src/lib/server/db';
import { queryRows } from '../../src/lib/server/db/rows';
import { users } from '../../src/lib/server/db/schema';
import type { AgentState } from '../../src/lib/protocol';
import type { CallFact, FloorEffect } from '../state/types';
import type { PersistLog } from './index';

export const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
export const SEC = 1000;

export function fact(over: Partial<CallFact> = {}): CallFact {
	return {
		pbx: 'p1',
		linkedid: '1795609452.26',
		uniqueid: '1795609452.26',
		direction: 'out',
		agentId: null,
		number: null,
		queue: null,
		callId: null,
		leadId: null,
		projectId: null,
		recording: null,
		startedAt: T0,
		answeredAt: null,
		endedAt: null,
		dialStatus: null,
		hangupCause: null,
		...over
	};
}

export const call = (over: Partial<CallFact> = {}): FloorEffect => ({ kind: 'call', call: fact(over) });

export function interval(
	agentId: string,
	state: AgentState,
	from: number,
	to: number,
	reason: string | null = null
): FloorEffect {
	return { kind: 'agentState', agentId, state, reason, from, to };
}

export async function addUser(db: Db, name: string): Promise<string> {
	const [row] = await db
		.insert(users)
		.values({ email: `${name}@example.com`, name, passwordHash: 'x', role: 'agent' })
		.returning({ id: users.id });
	if (row === undefined) throw new Error('no user');
	return row.id;
}

export async function truncate(db: Db): Promise<void> {
	await db.execute(sql`truncate calls, agent_state_log, agent_day_stats restart identity cascade`);
}

export interface Dump {
	calls: Record<string, unknown>[];
	states: Record<string, unknown>[];
	stats: Record<string, unknown>[];
}

/** Every column of the three tables, in a stable order. */
export async function dump(db: DbOrTx): Promise<Dump> {
	return {
		calls: await queryRows(db, sql`select * from calls order by pbx, linkedid`),
		states: await queryRows(db, sql`select * from agent_state_log order by agent_id, started_at`),
		stats: await queryRows(db, sql`select * from agent_day_stats order by agent_id, project_id, day`)
	};
}

/** The dump without what legitimately differs between two databases fed the same facts. */
export function comparable(d: Dump): Dump {
	const strip = (rows: Record<string, unknown>[], keys: string[]) =>
		rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k))));
	return {
		calls: strip(d.calls, ['id']),
		states: strip(d.states, ['id']),
		stats: strip(d.stats, ['updated_at'])
	};
}

export interface StatRow {
	project_id: string;
	day: string;
	dials: number;
	contacts: number;
	conversations: number;
	talk_seconds: number;
	pause_seconds: number;
	meetings: number;
	deals: number;
	hourly: number[];
}

export async function statsOf(db: DbOrTx, agentId: string): Promise<StatRow[]> {
	return queryRows<StatRow>(
		db,
		sql`select project_id::text, day::text, dials, contacts, conversations, talk_seconds, pause_seconds,
			meetings, deals, hourly
		from agent_day_stats where agent_id = ${agentId}::uuid order by day, project_id`
	);
}

export interface CallRow {
	id: string;
	agent_id: string | null;
	lead_id: string | null;
	project_id: string | null;
	direction: string;
	number: string | null;
	queue: string | null;
	uniqueid: string | null;
	recording_path: string | null;
	started_ms: number;
	answered_ms: number | null;
	ended_ms: number | null;
	talk_seconds: number | null;
	dial_status: string | null;
	hangup_cause: number | null;
}

export async function callsOf(db: DbOrTx, linkedid?: string): Promise<CallRow[]> {
	const ms = (col: string) => sql.raw(`(extract(epoch from ${col}) * 1000)::float8`);
	return queryRows<CallRow>(
		db,
		sql`select id::text, agent_id::text, lead_id::text, project_id::text, direction::text, number, queue,
			uniqueid, recording_path, ${ms('started_at')} as started_ms, ${ms('answered_at')} as answered_ms,
			${ms('ended_at')} as ended_ms, talk_seconds, dial_status, hangup_cause
		from calls ${linkedid === undefined ? sql`` : sql`where linkedid = ${linkedid}`}
		order by pbx, linkedid`
	);
}

/** A database whose transactions fail (like a closed connection) while `down` is true. */
export function flaky(db: Db): { db: Db; down: boolean; attempts: number } {
	const ctl = { db, down: false, attempts: 0 };
	ctl.db = new Proxy(db, {
		get(target, prop, receiver) {
			if (prop === 'transaction') {
				ctl.attempts++;
				if (ctl.down) return () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
			}
			return Reflect.get(target, prop, receiver) as unknown;
		}
	});
	return ctl;
}

/** Timers fired by hand: no test waits on the clock. */
export class ManualTimers {
	readonly timers: Array<{ fn: () => void; ms: number; live: boolean }> = [];

	readonly setTimer = (fn: () => void, ms: number): (() => void) => {
		const t = { fn, ms, live: true };
		this.timers.push(t);
		return () => {
			t.live = false;
		};
	};

	/** delays of the timers still armed */
	get armed(): number[] {
		return this.timers.filter((t) => t.live).map((t) => t.ms);
	}

	/** run every armed timer once */
	fire(): void {
		const due = this.timers.filter((t) => t.live);
		for (const t of due) t.live = false;
		for (const t of due) t.fn();
	}
}

export class CollectingLog implements PersistLog {
	readonly lines: Array<{ level: 'info' | 'warn' | 'error'; msg: string; obj: object }> = [];
	info(obj: object, msg: string): void {
		this.lines.push({ level: 'info', msg, obj });
	}
	warn(obj: object, msg: string): void {
		this.lines.push({ level: 'warn', msg, obj });
	}
	error(obj: object, msg: string): void {
		this.lines.push({ level: 'error', msg, obj });
	}
	messages(level: 'info' | 'warn' | 'error'): string[] {
		return this.lines.filter((l) => l.level === level).map((l) => l.msg);
	}
}
