/**
 * Agent intensity: dials, talk and pause per agent and day, a weekday × hour heatmap of dials,
 * pause time by reason, all from agent_day_stats. Targets are the daily targets of the filtered
 * project, or else the highest of the agent's assigned projects (the plan they are held to).
 * Pauses belong to no project: they are counted whatever the project filter.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { NIL_UUID } from '../db/schema';
import { addDays } from '$lib/reports/dates';
import type { ReportTable } from '$lib/reports/table';
import { agentIn, projectIs, type ReportScope } from './scope';

export interface IntensityDay {
	agentId: string;
	agentName: string;
	day: string;
	dials: number;
	talkSeconds: number;
	pauseSeconds: number;
	/** dials per day the agent is held to, null when no project sets one */
	targetDials: number | null;
	targetTalkSeconds: number | null;
}

export interface Intensity {
	days: IntensityDay[];
	/** [ISO weekday 1..7][hour 0..23] dials */
	heatmap: number[][];
	pauseByReason: Array<{ reason: string; seconds: number }>;
}

export async function intensity(db: DbOrTx, scope: ReportScope): Promise<Intensity> {
	const f = scope.filters;
	const lo = sql`${f.from}::date`;
	const hi = sql`${addDays(f.to, 1)}::date`;
	const inPeriod = sql`s.day >= ${lo} and s.day < ${hi} and ${agentIn(scope, sql`s.agent_id`)}`;
	const calls = sql`${inPeriod} and ${projectIs(scope, sql`s.project_id`)}`;
	const pauses = sql`${inPeriod} and s.project_id = ${NIL_UUID}::uuid`;
	// the plan each agent is held to, once per agent (not once per row); the agents in scope rather
	// than those of `k`, which would read the aggregate a second time
	const targets = f.projectId
		? sql`select null::uuid as agent_id, target_calls as dials, target_talk_minutes * 60 as talk
			from projects where id = ${f.projectId}::uuid`
		: sql`select pa.user_id as agent_id, max(p.target_calls) as dials, max(p.target_talk_minutes) * 60 as talk
			from project_agents pa join projects p on p.id = pa.project_id
			where ${agentIn(scope, sql`pa.user_id`)}
			group by pa.user_id`;
	const targetJoin = f.projectId ? sql`true` : sql`t.agent_id = k.agent_id`;
	const hours = Array.from({ length: 24 }, (_, h) => sql.raw(`sum((s.hourly->>${h})::integer)::integer`));

	const [days, cells, reasons] = await Promise.all([
		queryRows<IntensityDay>(
			db,
			sql`with k as (
				select s.agent_id, s.day,
					sum(s.dials) filter (where ${calls}) as dials,
					sum(s.talk_seconds) filter (where ${calls}) as talk,
					sum(s.pause_seconds) filter (where ${pauses}) as pause
				from agent_day_stats s
				where ${inPeriod}
				group by s.agent_id, s.day
			)
			, t as (${targets})
			select k.agent_id as "agentId", u.name as "agentName", k.day::text as day,
				coalesce(k.dials, 0)::integer as dials, coalesce(k.talk, 0)::integer as "talkSeconds",
				coalesce(k.pause, 0)::integer as "pauseSeconds",
				t.dials::integer as "targetDials", t.talk::integer as "targetTalkSeconds"
			from k join users u on u.id = k.agent_id
			left join t on ${targetJoin}
			where coalesce(k.dials, 0) + coalesce(k.talk, 0) + coalesce(k.pause, 0) > 0
			order by u.name, k.day`
		),
		// 24 sums per weekday: reading the array's elements by index beats expanding every row
		queryRows<{ dow: number; hours: number[] }>(
			db,
			sql`select extract(isodow from s.day)::integer as dow, array[${sql.join(hours, sql`, `)}] as hours
				from agent_day_stats s
				where ${calls} and s.dials > 0
				group by 1`
		),
		queryRows<{ reason: string; seconds: number }>(
			db,
			sql`select r.key as reason, sum(r.value::integer)::integer as seconds
				from agent_day_stats s
				cross join lateral jsonb_each_text(s.pause_reasons) as r(key, value)
				where ${pauses}
				group by 1
				order by 2 desc, 1`
		)
	]);
	const heatmap = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
	for (const c of cells) c.hours.forEach((n, hour) => (heatmap[c.dow - 1]![hour] = n ?? 0));
	return { days, heatmap, pauseByReason: reasons };
}

export interface IntensityAgent {
	agentId: string;
	agentName: string;
	days: number;
	dials: number;
	talkSeconds: number;
	pauseSeconds: number;
	targetDials: number | null;
	/** days with dials ≥ target */
	daysMet: number;
}

export function intensityByAgent(days: readonly IntensityDay[]): IntensityAgent[] {
	const by = new Map<string, IntensityAgent>();
	for (const d of days) {
		let a = by.get(d.agentId);
		if (!a)
			by.set(
				d.agentId,
				(a = { agentId: d.agentId, agentName: d.agentName, days: 0, dials: 0, talkSeconds: 0, pauseSeconds: 0, targetDials: d.targetDials, daysMet: 0 })
			);
		if (d.dials > 0) a.days++;
		a.dials += d.dials;
		a.talkSeconds += d.talkSeconds;
		a.pauseSeconds += d.pauseSeconds;
		if (d.targetDials !== null && d.dials > 0 && d.dials >= d.targetDials) a.daysMet++;
	}
	return [...by.values()];
}

export function intensityTable(agents: readonly IntensityAgent[]): ReportTable {
	return {
		columns: [
			{ key: 'agent', kind: 'text' },
			{ key: 'days_worked', kind: 'int' },
			{ key: 'dials', kind: 'int' },
			{ key: 'dials_per_day', kind: 'int' },
			{ key: 'target_dials', kind: 'int' },
			{ key: 'days_met', kind: 'int' },
			{ key: 'talk', kind: 'seconds' },
			{ key: 'pause', kind: 'seconds' }
		],
		rows: agents.map((a) => [
			a.agentName,
			a.days,
			a.dials,
			a.days ? Math.round(a.dials / a.days) : 0,
			a.targetDials,
			a.daysMet,
			a.talkSeconds,
			a.pauseSeconds
		])
	};
}
