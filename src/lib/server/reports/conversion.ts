/**
 * Conversion funnel per agent and week: dials → contacts → conversations (talk ≥ N s, N one of
 * CONVERSATION_THRESHOLDS, 30 by default) → meetings booked → held → deals won, with the rate at
 * each step.
 * Dials, contacts and conversations come from agent_day_stats (weeks are ISO weeks of the agents'
 * local days). Meetings are counted in the week they were booked (a cohort): held and won say
 * what became of that week's bookings; that week is the project's local week, like every meeting
 * count (see src/lib/reports/dates.ts on which zone makes a day).
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { addDays } from '$lib/reports/dates';
import { rate, type ReportTable } from '$lib/reports/table';
import { agentIn, projectIs, type ReportScope } from './scope';
import { onLocalDays } from './local-days';
import {
	CONVERSATION_THRESHOLDS,
	DEFAULT_CONVERSATION_SECONDS,
	isConversationThreshold,
	type ConversationThreshold
} from '$lib/reports/conversation';

export interface ConversionRow {
	agentId: string;
	agentName: string;
	/** Monday of the ISO week */
	week: string;
	dials: number;
	contacts: number;
	conversations: number;
	booked: number;
	held: number;
	won: number;
}

/** `talk` from the URL: one of CONVERSATION_THRESHOLDS, DEFAULT_CONVERSATION_SECONDS when absent. */
export function parseTalk(params: URLSearchParams): { ok: true; talk: ConversationThreshold } | { ok: false; message: string } {
	const raw = params.get('talk')?.trim();
	if (!raw) return { ok: true, talk: DEFAULT_CONVERSATION_SECONDS };
	const n = Number(raw);
	if (!isConversationThreshold(n))
		return { ok: false, message: `A conversation lasts at least one of ${CONVERSATION_THRESHOLDS.join(', ')} seconds.` };
	return { ok: true, talk: n };
}

export async function conversionRows(
	db: DbOrTx,
	scope: ReportScope,
	talk: ConversationThreshold = DEFAULT_CONVERSATION_SECONDS
): Promise<ConversionRow[]> {
	const f = scope.filters;
	// the default is its own column (also filled on rows written before talk_over existed)
	const conversations =
		talk === DEFAULT_CONVERSATION_SECONDS
			? sql`s.conversations`
			: sql`coalesce((s.talk_over->>${sql.raw(String(CONVERSATION_THRESHOLDS.indexOf(talk)))})::integer, 0)`;
	const lo = sql`${f.from}::date`;
	const hiExclusive = sql`${addDays(f.to, 1)}::date`;
	return queryRows<ConversionRow>(
		db,
		sql`with funnel as (
			select s.agent_id, date_trunc('week', s.day)::date as week,
				sum(s.dials)::integer as dials, sum(s.contacts)::integer as contacts,
				sum(${conversations})::integer as conversations
			from agent_day_stats s
			where s.day >= ${lo} and s.day < ${hiExclusive}
				and ${projectIs(scope, sql`s.project_id`)} and ${agentIn(scope, sql`s.agent_id`)}
			group by 1, 2
		),
		booked as (
			select m.booked_by as agent_id, date_trunc('week', m.created_at at time zone p.timezone)::date as week,
				count(*)::integer as booked,
				(count(*) filter (where m.status = 'held'))::integer as held,
				(count(*) filter (where m.deal = 'won'))::integer as won
			from meetings m join projects p on p.id = m.project_id
			-- booked on the project's local days
			where ${onLocalDays(sql`m.created_at`, sql`p.timezone`, f.from, addDays(f.to, 1))}
				and m.booked_by is not null
				and ${projectIs(scope, sql`m.project_id`)} and ${agentIn(scope, sql`m.booked_by`)}
			group by 1, 2
		)
		select k.agent_id as "agentId", u.name as "agentName", k.week::text as week,
			coalesce(f.dials, 0) as dials, coalesce(f.contacts, 0) as contacts,
			coalesce(f.conversations, 0) as conversations,
			coalesce(b.booked, 0) as booked, coalesce(b.held, 0) as held, coalesce(b.won, 0) as won
		from (select agent_id, week from funnel union select agent_id, week from booked) k
		join users u on u.id = k.agent_id
		left join funnel f on f.agent_id = k.agent_id and f.week = k.week
		left join booked b on b.agent_id = k.agent_id and b.week = k.week
		order by u.name, k.week`
	);
}

export const CONVERSION_STEPS = ['dials', 'contacts', 'conversations', 'booked', 'held', 'won'] as const;

export function conversionTable(rows: readonly ConversionRow[]): ReportTable {
	const totals = CONVERSION_STEPS.map((k) => rows.reduce((n, r) => n + r[k], 0));
	const line = (agent: string, week: string, v: number[]) => [
		agent,
		week,
		v[0]!,
		v[1]!,
		rate(v[1]!, v[0]!),
		v[2]!,
		rate(v[2]!, v[1]!),
		v[3]!,
		rate(v[3]!, v[2]!),
		v[4]!,
		rate(v[4]!, v[3]!),
		v[5]!,
		rate(v[5]!, v[4]!)
	];
	return {
		columns: [
			{ key: 'agent', kind: 'text' },
			{ key: 'week', kind: 'day' },
			{ key: 'dials', kind: 'int' },
			{ key: 'contacts', kind: 'int' },
			{ key: 'contact_rate', kind: 'pct' },
			{ key: 'conversations', kind: 'int' },
			{ key: 'conversation_rate', kind: 'pct' },
			{ key: 'booked', kind: 'int' },
			{ key: 'booked_rate', kind: 'pct' },
			{ key: 'held', kind: 'int' },
			{ key: 'held_rate', kind: 'pct' },
			{ key: 'won', kind: 'int' },
			{ key: 'won_rate', kind: 'pct' }
		],
		rows: [
			...rows.map((r) => line(r.agentName, r.week, CONVERSION_STEPS.map((k) => r[k]))),
			line('Σ', '', totals)
		]
	};
}
