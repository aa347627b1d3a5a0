/**
 * The calls behind a number (drill-down): the report's filters plus what the clicked cell means
 * — a failure reason, a day, an outcome. Raw rows through the calls indexes (started_at, or
 * (agent_id, started_at) with an agent filter), newest first, a page at a time: the next page
 * starts strictly before the last row's (started_at, id), so paging never skips nor repeats a
 * call and costs the same on page 1 and page 100. A day or a period means each agent's local days
 * (agent-zones.ts), as the rollups behind the clicked number count them: the index finds the
 * calls of the UTC range widened by 14 h either side, the agent's zone keeps the right ones.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { isDay, addDays } from '$lib/reports/dates';
import type { ReportTable } from '$lib/reports/table';
import { agentIn, projectIs, type ReportScope } from './scope';
import { loadAgentZones } from './agent-zones';
import { onLocalDays } from './local-days';
import { DIAL_REASON_PREFIX, FAILED_DISPOSITION } from './reasons';

/** calls per page on screen */
export const DRILL_PAGE = 100;
/** calls in an export of a drill-down */
export const DRILL_EXPORT_LIMIT = 10_000;

export const OUTCOMES = ['dial', 'contact', 'conversation'] as const;

export interface DrillInput {
	/** failure reason key (disposition code or dial:<STATUS>) */
	reason: string | null;
	day: string | null;
	outcome: (typeof OUTCOMES)[number] | null;
	/** page cursor: the calls strictly before this one (newest first) */
	before: DrillCursor | null;
}

export interface DrillCursor {
	startedAt: string;
	id: string;
}

/** `<ISO time>~<call id>`: the cursor as a URL parameter */
export function cursorParam(c: DrillCursor): string {
	return `${c.startedAt}~${c.id}`;
}

const cursorSchema = z
	.string()
	.regex(/^[^~]+~[0-9a-f-]{36}$/i, { message: 'The page cursor is not valid.' })
	.refine((v) => !Number.isNaN(Date.parse(v.split('~')[0]!)), { message: 'The page cursor is not valid.' });

const drillSchema = z.object({
	reason: z.string().max(80, { message: 'The reason is too long.' }).optional(),
	day: z.string().refine(isDay, { message: 'The day must be a date written YYYY-MM-DD.' }).optional(),
	outcome: z.enum(OUTCOMES, { message: 'The outcome must be dial, contact or conversation.' }).optional(),
	before: cursorSchema.optional()
});

export function parseDrill(params: URLSearchParams): { ok: true; drill: DrillInput } | { ok: false; message: string } {
	const get = (k: string) => params.get(k)?.trim() || undefined;
	const parsed = drillSchema.safeParse({ reason: get('reason'), day: get('day'), outcome: get('outcome'), before: get('before') });
	if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'Bad drill-down.' };
	const before = parsed.data.before?.split('~');
	return {
		ok: true,
		drill: {
			reason: parsed.data.reason ?? null,
			day: parsed.data.day ?? null,
			outcome: parsed.data.outcome ?? null,
			before: before ? { startedAt: new Date(before[0]!).toISOString(), id: before[1]!.toLowerCase() } : null
		}
	};
}

export interface DrillCall {
	id: string;
	startedAt: string;
	agentName: string | null;
	projectName: string | null;
	number: string | null;
	talkSeconds: number | null;
	dialStatus: string | null;
	disposition: string | null;
	hasRecording: boolean;
}

/**
 * `REASON_KEY = reason and IS_FAILURE`, written so an index can find the calls (calls_disposition_idx
 * or calls_undisposed_status_idx) instead of filtering every call of the period.
 */
function reasonIs(reason: string): SQL {
	if (reason.startsWith(DIAL_REASON_PREFIX)) {
		const status = reason.slice(DIAL_REASON_PREFIX.length);
		const statusIs =
			status === 'UNKNOWN' ? sql`coalesce(nullif(c.dial_status, ''), 'UNKNOWN') = 'UNKNOWN'` : sql`c.dial_status = ${status}`;
		// a dial status is the reason of exactly the unanswered calls nobody disposed of (see IS_FAILURE)
		return sql`(c.disposition_id is null and c.answered_at is null and ${statusIs})`;
	}
	return sql`c.disposition_id in (select d.id from dispositions d where d.code = ${reason} and ${FAILED_DISPOSITION})`;
}

/**
 * The calls behind a number, a page at a time. `zones` (agent id → zone) defaults to the agents'
 * zones read now; the tests pass the ones their rollups were keyed on.
 */
export async function drillCalls(
	db: DbOrTx,
	scope: ReportScope,
	drill: DrillInput,
	limit = DRILL_PAGE,
	zones?: ReadonlyMap<string, string>
): Promise<DrillCall[]> {
	const where: SQL[] = [projectIs(scope, sql`c.project_id`), agentIn(scope, sql`c.agent_id`)];
	// the calls that started on the agent's local days (`z`: the agents' zones, joined below)
	const [from, toExclusive] = drill.day ? [drill.day, addDays(drill.day, 1)] : [scope.filters.from, addDays(scope.filters.to, 1)];
	where.push(onLocalDays(sql`c.started_at`, sql`coalesce(z.tz, 'UTC')`, from, toExclusive));
	const zoneRows = JSON.stringify([...(zones ?? (await loadAgentZones(db)))].map(([agent_id, tz]) => ({ agent_id, tz })));
	if (drill.reason) where.push(sql`c.direction = 'out' and ${reasonIs(drill.reason)}`);
	if (drill.outcome === 'dial') where.push(sql`c.direction = 'out'`);
	if (drill.outcome === 'contact') where.push(sql`c.answered_at is not null`);
	if (drill.outcome === 'conversation') where.push(sql`c.answered_at is not null and c.talk_seconds >= 30`);
	if (drill.before) where.push(sql`(c.started_at, c.id) < (${drill.before.startedAt}::timestamptz, ${drill.before.id}::uuid)`);
	return queryRows<DrillCall>(
		db,
		sql`select c.id, c.started_at as "startedAt", u.name as "agentName", p.name as "projectName",
				c.number, c.talk_seconds as "talkSeconds", c.dial_status as "dialStatus",
				d.label as disposition, c.recording_path is not null as "hasRecording"
			from calls c
			left join jsonb_to_recordset(${zoneRows}::jsonb) as z(agent_id uuid, tz text) on z.agent_id = c.agent_id
			left join dispositions d on d.id = c.disposition_id
			left join users u on u.id = c.agent_id
			left join projects p on p.id = c.project_id
			where ${sql.join(where, sql` and `)}
			order by c.started_at desc, c.id desc
			limit ${limit}`
	).then((rows) => rows.map((r) => ({ ...r, startedAt: new Date(r.startedAt).toISOString() })));
}

/** The cursor of the page after `rows`, or null when this page was the last. */
export function nextCursor(rows: readonly DrillCall[], limit = DRILL_PAGE): DrillCursor | null {
	const last = rows.at(-1);
	return rows.length >= limit && last ? { startedAt: last.startedAt, id: last.id } : null;
}

export function callsTable(rows: readonly DrillCall[]): ReportTable {
	return {
		columns: [
			{ key: 'started', kind: 'text' },
			{ key: 'agent', kind: 'text' },
			{ key: 'project', kind: 'text' },
			{ key: 'number', kind: 'text' },
			{ key: 'talk', kind: 'seconds' },
			{ key: 'dial_status', kind: 'text' },
			{ key: 'disposition', kind: 'text' }
		],
		rows: rows.map((r) => [r.startedAt, r.agentName, r.projectName, r.number, r.talkSeconds, r.dialStatus, r.disposition])
	};
}

/** The call's recording file, if the viewer's scope covers the call's agent. */
export async function recordingOf(db: DbOrTx, scope: ReportScope, callId: string): Promise<string | null> {
	const rows = await queryRows<{ path: string | null }>(
		db,
		sql`select c.recording_path as path from calls c where c.id = ${callId}::uuid and ${agentIn(scope, sql`c.agent_id`)}`
	);
	return rows[0]?.path ?? null;
}
