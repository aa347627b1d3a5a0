/**
 * Four past weeks of floor life for the demo, so the reports have something to show after
 * `npm start`: per agent and working day, calls between 09:00 and 17:00 UTC with realistic
 * outcomes (no answer, busy, unreachable, answered with a disposition and talk time), a lunch and
 * short breaks in the state log, meetings booked from "meeting" dispositions (held or no-show once
 * past, some deals won), the leads' attempts and statuses, the lists' daily snapshots (leads by
 * status over time, as the refresher would have taken them), a pay rule per team; then the
 * rollups are rebuilt from these raw rows exactly as the live persister would have kept them.
 * Answered calls point at one short silent WAV, so drill-downs have a recording to play.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { rebuildRollups } from '../../../../realtime/persist/rollups';
import { agentZones } from '../reports/agent-zones';
import type { Db } from '../db';
import { queryRows } from '../db/rows';
import { agentStateLog, calls, dispositions, meetings, payRules, projectAgents, projectLeads, teams, users } from '../db/schema';
import { addDays, dayOf, isoWeekday, mondayOf } from '$lib/reports/dates';

const WEEKS = 4;

/**
 * A demo lead's status from its calls so far (aggregates over calls `c` joined to their
 * dispositions `d`): the one rule for today's statuses and for each past day's snapshot.
 */
const DEMO_STATUS = sql`case when bool_or(d.is_meeting) then 'done'
	when bool_or(d.kind = 'final') then 'done'
	when count(*) >= 4 then 'exhausted'
	when bool_or(d.kind = 'callback') then 'callback'
	else 'new' end`;
const CALLS_PER_DAY = [25, 45] as const;

/** 1 s of 8 kHz 16-bit mono silence */
function silentWav(): Buffer {
	const samples = 8000;
	const b = Buffer.alloc(44 + samples * 2);
	b.write('RIFF', 0);
	b.writeUInt32LE(36 + samples * 2, 4);
	b.write('WAVEfmt ', 8);
	b.writeUInt32LE(16, 16);
	b.writeUInt16LE(1, 20);
	b.writeUInt16LE(1, 22);
	b.writeUInt32LE(8000, 24);
	b.writeUInt32LE(16000, 28);
	b.writeUInt16LE(2, 32);
	b.writeUInt16LE(16, 34);
	b.write('data', 36);
	b.writeUInt32LE(samples * 2, 40);
	return b;
}

export interface HistoryOptions {
	random: () => number;
	/** where the demo recording is written (DATA_DIR) */
	dataDir: string;
	now?: Date;
}

export async function seedDemoHistory(db: Db, options: HistoryOptions): Promise<void> {
	const { random } = options;
	const now = options.now ?? new Date();
	const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
	const recording = path.join(options.dataDir, 'recordings', 'demo-call.wav');
	await mkdir(path.dirname(recording), { recursive: true });
	await writeFile(recording, silentWav());

	const assigned = await db
		.select({ agentId: projectAgents.userId, projectId: projectAgents.projectId })
		.from(projectAgents)
		.innerJoin(users, eq(users.id, projectAgents.userId))
		.where(eq(users.role, 'agent'));
	const dispoRows = await db.select().from(dispositions);
	const leadRows = await db.select({ projectId: projectLeads.projectId, leadId: projectLeads.leadId }).from(projectLeads);
	const leadsOf = new Map<string, string[]>();
	for (const l of leadRows) leadsOf.set(l.projectId, [...(leadsOf.get(l.projectId) ?? []), l.leadId]);
	const code = (projectId: string, c: string) => dispoRows.find((d) => d.projectId === projectId && d.code === c);

	const today = dayOf(now);
	const first = addDays(mondayOf(today), -7 * WEEKS);
	type CallRow = typeof calls.$inferInsert;
	const callRows: CallRow[] = [];
	const stateRows: Array<typeof agentStateLog.$inferInsert> = [];
	const meetingRows: Array<typeof meetings.$inferInsert> = [];
	let n = 0;
	for (let day = first; day < today; day = addDays(day, 1)) {
		if (isoWeekday(day) > 5) continue;
		for (const { agentId, projectId } of assigned) {
			const leadsHere = leadsOf.get(projectId) ?? [];
			if (leadsHere.length === 0) continue;
			// each agent has a level of their own, and some days are better than others
			const count = between(...CALLS_PER_DAY);
			const dayStart = Date.parse(`${day}T09:00:00Z`);
			for (let i = 0; i < count; i++) {
				const started = new Date(dayStart + Math.floor((i / count) * 8 * 3600_000) + between(0, 300) * 1000);
				const r = random();
				const leadId = leadsHere[Math.floor(random() * leadsHere.length)]!;
				const base: CallRow = { pbx: 'demo', linkedid: `demo-${++n}`, uniqueid: `demo-${n}`, direction: 'out', projectId, leadId, agentId, number: `+3314${String(n).padStart(7, '0')}`, startedAt: started };
				if (r < 0.5) {
					callRows.push({ ...base, endedAt: new Date(+started + 25_000), dialStatus: 'NOANSWER', dispositionId: code(projectId, 'no_answer')?.id ?? null });
				} else if (r < 0.6) {
					callRows.push({ ...base, endedAt: new Date(+started + 8000), dialStatus: 'BUSY', dispositionId: code(projectId, 'busy')?.id ?? null });
				} else if (r < 0.65) {
					callRows.push({ ...base, endedAt: new Date(+started + 3000), dialStatus: 'CHANUNAVAIL' });
				} else {
					const o = random();
					const outcome = o < 0.25 ? 'gatekeeper' : o < 0.55 ? 'not_interested' : o < 0.65 ? 'wrong_number' : o < 0.85 ? 'callback' : 'meeting';
					const talk = outcome === 'meeting' ? between(120, 480) : outcome === 'wrong_number' ? between(5, 20) : between(10, 180);
					const answered = new Date(+started + between(5, 20) * 1000);
					const call: CallRow = {
						...base,
						answeredAt: answered,
						endedAt: new Date(+answered + talk * 1000),
						talkSeconds: talk,
						dialStatus: 'ANSWER',
						recordingPath: recording,
						dispositionId: code(projectId, outcome)?.id ?? null
					};
					callRows.push(call);
					if (outcome === 'meeting') {
						const starts = new Date(Date.parse(`${addDays(day, between(2, 6))}T10:00:00Z`));
						const past = starts < now;
						const held = past && random() < 0.7;
						meetingRows.push({
							leadId,
							projectId,
							bookedBy: agentId,
							createdAt: started,
							startsAt: starts,
							endsAt: new Date(+starts + 3600_000),
							status: past ? (held ? 'held' : 'no_show') : 'scheduled',
							deal: held ? (random() < 0.35 ? 'won' : random() < 0.5 ? 'lost' : 'pending') : 'pending',
							amount: held ? String(between(10, 80) * 100) : null
						});
					}
				}
			}
			const lunch = Date.parse(`${day}T12:00:00Z`) + between(0, 30) * 60_000;
			stateRows.push({ agentId, state: 'paused', reason: 'lunch', startedAt: new Date(lunch), endedAt: new Date(lunch + between(30, 60) * 60_000) });
			const brk = Date.parse(`${day}T15:00:00Z`) + between(0, 60) * 60_000;
			stateRows.push({ agentId, state: 'paused', reason: random() < 0.2 ? 'training' : 'break', startedAt: new Date(brk), endedAt: new Date(brk + between(5, 20) * 60_000) });
		}
	}
	for (let i = 0; i < callRows.length; i += 1000) await db.insert(calls).values(callRows.slice(i, i + 1000)).onConflictDoNothing();
	for (let i = 0; i < stateRows.length; i += 1000) await db.insert(agentStateLog).values(stateRows.slice(i, i + 1000)).onConflictDoNothing();
	for (let i = 0; i < meetingRows.length; i += 1000) await db.insert(meetings).values(meetingRows.slice(i, i + 1000));

	// the leads' attempts and statuses follow their calls
	await db.execute(sql`update project_leads pl set attempts = x.n, last_called_at = x.last, status = x.status::project_lead_status
		from (select c.project_id, c.lead_id, count(*)::integer as n, max(c.started_at) as last, ${DEMO_STATUS} as status
			from calls c left join dispositions d on d.id = c.disposition_id
			where c.pbx = 'demo' group by c.project_id, c.lead_id) x
		where pl.project_id = x.project_id and pl.lead_id = x.lead_id`);
	// each past day's list as it stood at the end of the project's day (progress-snapshots.ts):
	// a lead not called yet had its seeded status
	await db.execute(sql`with days as (
			select g::date as day from generate_series(${first}::date, ${addDays(today, -1)}::date, interval '1 day') g
		),
		called as (
			select dd.day, c.project_id, c.lead_id, ${DEMO_STATUS} as status
			from days dd
			join calls c on c.pbx = 'demo'
			join projects p on p.id = c.project_id and c.started_at < (dd.day + 1)::timestamp at time zone p.timezone
			left join dispositions d on d.id = c.disposition_id
			group by dd.day, c.project_id, c.lead_id
		),
		counts as (
			select dd.day, pl.project_id, coalesce(x.status, pl.status::text) as status,
				count(*)::integer as n, (count(*) filter (where x.lead_id is not null))::integer as dialled
			from days dd
			cross join project_leads pl
			left join called x on x.day = dd.day and x.project_id = pl.project_id and x.lead_id = pl.lead_id
			group by 1, 2, 3
		),
		calling as (
			-- days with dials as the rollups count them: the demo agents' days are UTC days
			select dd.day, c.project_id, count(distinct (c.started_at at time zone 'UTC')::date)::integer as days
			from days dd
			join calls c on c.pbx = 'demo'
			join projects p on p.id = c.project_id and c.started_at < (dd.day + 1)::timestamp at time zone p.timezone
			group by 1, 2
		)
		insert into project_progress_days (project_id, day, by_status, calling_days)
		select k.project_id, k.day, jsonb_object_agg(k.status, jsonb_build_array(k.n, k.dialled)), coalesce(max(cd.days), 0)
		from counts k left join calling cd on cd.day = k.day and cd.project_id = k.project_id
		group by k.project_id, k.day
		on conflict (project_id, day) do nothing`);

	const teamRows = await queryRows<{ id: string }>(db, sql`select id from ${teams}`);
	for (const t of teamRows)
		await db
			.insert(payRules)
			.values({ teamId: t.id, currency: 'EUR', weeklySalary: '450.00', bonus1Rate: '25.00', bonus1Threshold: 2, bonus2Amount: '80.00', dailyDialsPlan: 40 })
			.onConflictDoNothing();
	await rebuildRollups(db, { from: new Date(`${first}T00:00:00Z`), timezone: await agentZones(db) });
}
