/**
 * The calls behind a number (drill-down): the report's filters plus what the clicked cell means
 * — a failure reason, a day, an outcome. Raw rows through the calls indexes, newest first, capped.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { isDay, addDays } from '$lib/reports/dates';
import type { ReportTable } from '$lib/reports/table';
import { agentIn, projectIs, type ReportScope } from './scope';
import { IS_FAILURE, periodOf, REASON_KEY } from './failures';

export const DRILL_LIMIT = 500;

export const OUTCOMES = ['dial', 'contact', 'conversation'] as const;

export interface DrillInput {
	/** failure reason key (disposition code or dial:<STATUS>) */
	reason: string | null;
	day: string | null;
	outcome: (typeof OUTCOMES)[number] | null;
}

const drillSchema = z.object({
	reason: z.string().max(80, { message: 'The reason is too long.' }).optional(),
	day: z.string().refine(isDay, { message: 'The day must be a date written YYYY-MM-DD.' }).optional(),
	outcome: z.enum(OUTCOMES, { message: 'The outcome must be dial, contact or conversation.' }).optional()
});

export function parseDrill(params: URLSearchParams): { ok: true; drill: DrillInput } | { ok: false; message: string } {
	const get = (k: string) => params.get(k)?.trim() || undefined;
	const parsed = drillSchema.safeParse({ reason: get('reason'), day: get('day'), outcome: get('outcome') });
	if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'Bad drill-down.' };
	return { ok: true, drill: { reason: parsed.data.reason ?? null, day: parsed.data.day ?? null, outcome: parsed.data.outcome ?? null } };
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

export async function drillCalls(db: DbOrTx, scope: ReportScope, drill: DrillInput): Promise<DrillCall[]> {
	const where: SQL[] = [projectIs(scope, sql`c.project_id`), agentIn(scope, sql`c.agent_id`)];
	if (drill.day) {
		where.push(sql`c.started_at >= ${drill.day}::timestamp at time zone 'UTC'
			and c.started_at < ${addDays(drill.day, 1)}::timestamp at time zone 'UTC'`);
	} else where.push(periodOf(scope, sql`c.started_at`));
	if (drill.reason) where.push(sql`c.direction = 'out' and ${IS_FAILURE} and ${REASON_KEY} = ${drill.reason}`);
	if (drill.outcome === 'dial') where.push(sql`c.direction = 'out'`);
	if (drill.outcome === 'contact') where.push(sql`c.answered_at is not null`);
	if (drill.outcome === 'conversation') where.push(sql`c.answered_at is not null and c.talk_seconds >= 30`);
	return queryRows<DrillCall>(
		db,
		sql`select c.id, c.started_at as "startedAt", u.name as "agentName", p.name as "projectName",
				c.number, c.talk_seconds as "talkSeconds", c.dial_status as "dialStatus",
				d.label as disposition, c.recording_path is not null as "hasRecording"
			from calls c
			left join dispositions d on d.id = c.disposition_id
			left join users u on u.id = c.agent_id
			left join projects p on p.id = c.project_id
			where ${sql.join(where, sql` and `)}
			order by c.started_at desc
			limit ${DRILL_LIMIT}`
	).then((rows) => rows.map((r) => ({ ...r, startedAt: new Date(r.startedAt).toISOString() })));
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
