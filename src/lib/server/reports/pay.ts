/**
 * Weekly control and pay per team: computes the week from rollups (dials per working day),
 * meetings held and the team's rule, with each agent's own salary where a manager set one; an
 * approved week is a stored snapshot that later data never changes. Approving is for managers,
 * once per team-week, after the week has ended, and audited.
 *
 * Which day a number falls on (src/lib/reports/dates.ts says it for every report): dials on
 * the agent's local day (the rollup key: the plan is about the agent's working day), meetings
 * held on the project's local day (a meeting takes place with the client, in the project's
 * zone). Public holidays are calendar dates, applied to those local days.
 */
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { payAgentSalaries, payRules, payWeeks, publicHolidays, teamMembers, teams, users } from '../db/schema';
import { audit } from '../audit';
import { addDays, workingDays, type Day } from '$lib/reports/dates';
import { payLine, toCents, type PayLine, type PayRule, type PayWeek } from '$lib/reports/pay';
import type { ReportTable } from '$lib/reports/table';
import { ReportAccessError, seesAllTeams, type Viewer } from './scope';
import { onLocalDays } from './local-days';

export async function teamRule(db: DbOrTx, teamId: string): Promise<PayRule | null> {
	const [r] = await db.select().from(payRules).where(eq(payRules.teamId, teamId));
	if (!r) return null;
	return {
		currency: r.currency,
		weeklySalaryCents: toCents(r.weeklySalary) ?? 0,
		bonus1RateCents: toCents(r.bonus1Rate) ?? 0,
		bonus1Threshold: r.bonus1Threshold,
		bonus2AmountCents: toCents(r.bonus2Amount) ?? 0,
		dailyDialsPlan: r.dailyDialsPlan
	};
}

export async function holidaysBetween(db: DbOrTx, from: Day, toExclusive: Day): Promise<Array<{ day: Day; name: string }>> {
	return db
		.select({ day: publicHolidays.day, name: publicHolidays.name })
		.from(publicHolidays)
		.where(and(gte(publicHolidays.day, from), lt(publicHolidays.day, toExclusive)))
		.orderBy(publicHolidays.day);
}

export interface TeamAgent {
	agentId: string;
	agentName: string;
	/** the agent's own weekly salary in this team, null = the team rule's */
	ownSalaryCents: number | null;
}

/** The team's agents by name, with their own salaries. */
export async function teamAgents(db: DbOrTx, teamId: string): Promise<TeamAgent[]> {
	const rows = await queryRows<{ agentId: string; agentName: string; ownSalary: string | null }>(
		db,
		sql`select u.id as "agentId", u.name as "agentName", s.weekly_salary::text as "ownSalary"
			from team_members tm join users u on u.id = tm.user_id
			left join pay_agent_salaries s on s.team_id = tm.team_id and s.user_id = u.id
			where tm.team_id = ${teamId}::uuid and u.role = 'agent'
			order by u.name`
	);
	return rows.map((r) => ({ agentId: r.agentId, agentName: r.agentName, ownSalaryCents: r.ownSalary === null ? null : toCents(r.ownSalary) }));
}

/** The week as it is now, computed from the data (ignores any approved snapshot). */
export async function computePayWeek(db: DbOrTx, teamId: string, weekStart: Day): Promise<PayWeek> {
	const end = addDays(weekStart, 7);
	const team = sql`(select user_id from team_members where team_id = ${teamId}::uuid)`;
	// independent reads, side by side: one round trip of waiting instead of five
	const [[teamRow], rule, holidays, agents, held, dials] = await Promise.all([
		db.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId)),
		teamRule(db, teamId),
		holidaysBetween(db, weekStart, end),
		teamAgents(db, teamId),
		queryRows<{ agentId: string; held: number }>(
			db,
			// held in the project's local week
			sql`select m.booked_by as "agentId", count(*)::integer as held
				from meetings m join projects p on p.id = m.project_id
				where m.status = 'held' and m.booked_by in ${team}
					and ${onLocalDays(sql`m.starts_at`, sql`p.timezone`, weekStart, end)}
				group by m.booked_by`
		),
		queryRows<{ agentId: string; day: string; dials: number }>(
			db,
			sql`select s.agent_id as "agentId", s.day::text as day, sum(s.dials)::integer as dials
				from agent_day_stats s
				where s.day >= ${weekStart}::date and s.day < ${end}::date and s.agent_id in ${team}
				group by 1, 2`
		)
	]);
	if (!teamRow) throw new ReportAccessError('This team does not exist.');
	const days = workingDays(weekStart, new Set(holidays.map((h) => h.day)));
	const heldOf = new Map(held.map((h) => [h.agentId, h.held]));
	const dialsOf = new Map(dials.map((d) => [`${d.agentId} ${d.day}`, d.dials]));
	return {
		teamId,
		teamName: teamRow.name,
		weekStart,
		workingDays: days,
		holidays,
		rule,
		lines: rule
			? agents.map(({ ownSalaryCents, ...a }) =>
					payLine(rule, a, heldOf.get(a.agentId) ?? 0, days, (day) => dialsOf.get(`${a.agentId} ${day}`) ?? 0, ownSalaryCents)
				)
			: [],
		approved: null
	};
}

/** The approved snapshot if there is one, else the live computation. */
export async function loadPayWeek(db: DbOrTx, teamId: string, weekStart: Day): Promise<PayWeek> {
	const [row] = await db
		.select({ snapshot: payWeeks.snapshot, at: payWeeks.approvedAt, byName: users.name })
		.from(payWeeks)
		.leftJoin(users, eq(users.id, payWeeks.approvedBy))
		.where(and(eq(payWeeks.teamId, teamId), eq(payWeeks.weekStart, weekStart)));
	if (!row) return computePayWeek(db, teamId, weekStart);
	const week = row.snapshot as unknown as PayWeek;
	// weeks approved before agents had their own salaries were all paid the team's
	const lines = week.lines.map((l): PayLine => ({ ...l, salarySource: l.salarySource ?? 'team' }));
	return { ...week, lines, approved: { byName: row.byName, at: row.at.toISOString() } };
}

export type ApproveResult = { ok: true } | { ok: false; message: string };

export async function approvePayWeek(
	db: DbOrTx,
	viewer: Viewer,
	teamId: string,
	weekStart: Day,
	today: Day,
	ip: string | null
): Promise<ApproveResult> {
	if (!seesAllTeams(viewer)) return { ok: false, message: 'Only a manager approves pay.' };
	if (addDays(weekStart, 7) > today) return { ok: false, message: 'A week can be approved once it has ended.' };
	const week = await computePayWeek(db, teamId, weekStart);
	if (!week.rule) return { ok: false, message: 'Set the team’s pay rule before approving a week.' };
	const inserted = await db
		.insert(payWeeks)
		.values({ teamId, weekStart, snapshot: week as unknown as Record<string, unknown>, approvedBy: viewer.id })
		.onConflictDoNothing()
		.returning({ teamId: payWeeks.teamId });
	if (inserted.length === 0) return { ok: false, message: 'This week is already approved and locked.' };
	await audit(db, {
		actorId: viewer.id,
		action: 'pay.approved',
		target: teamId,
		details: { weekStart, agents: week.lines.length, totalCents: week.lines.reduce((n, l) => n + l.totalCents, 0) },
		ip
	});
	return { ok: true };
}

export interface RuleInput {
	currency: string;
	weeklySalary: string;
	bonus1Rate: string;
	bonus1Threshold: number;
	bonus2Amount: string;
	dailyDialsPlan: number;
}

export async function saveRule(db: DbOrTx, viewer: Viewer, teamId: string, input: RuleInput, ip: string | null): Promise<void> {
	const values = { ...input, updatedBy: viewer.id, updatedAt: new Date() };
	await db.insert(payRules).values({ teamId, ...values }).onConflictDoUpdate({ target: payRules.teamId, set: values });
	await audit(db, { actorId: viewer.id, action: 'pay.rule_changed', target: teamId, details: { ...input }, ip });
}

export type SalaryResult = { ok: true } | { ok: false; message: string };

/**
 * Sets (or, with null, removes) an agent's own weekly salary in a team: managers only, the agent
 * must be in the team, audited. Weeks already approved keep what they stored.
 */
export async function saveAgentSalary(
	db: DbOrTx,
	viewer: Viewer,
	teamId: string,
	agentId: string,
	weeklySalary: string | null,
	ip: string | null
): Promise<SalaryResult> {
	if (!seesAllTeams(viewer)) return { ok: false, message: 'Only a manager changes pay.' };
	const [member] = await db
		.select({ role: users.role })
		.from(teamMembers)
		.innerJoin(users, eq(users.id, teamMembers.userId))
		.where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, agentId)));
	if (member?.role !== 'agent') return { ok: false, message: 'This agent is not in the team.' };
	if (weeklySalary === null) {
		await db.delete(payAgentSalaries).where(and(eq(payAgentSalaries.teamId, teamId), eq(payAgentSalaries.userId, agentId)));
	} else {
		const values = { weeklySalary, updatedBy: viewer.id, updatedAt: new Date() };
		await db
			.insert(payAgentSalaries)
			.values({ teamId, userId: agentId, ...values })
			.onConflictDoUpdate({ target: [payAgentSalaries.teamId, payAgentSalaries.userId], set: values });
	}
	await audit(db, { actorId: viewer.id, action: 'pay.salary_changed', target: agentId, details: { teamId, weeklySalary }, ip });
	return { ok: true };
}

export function payTable(week: PayWeek): ReportTable {
	return {
		columns: [
			{ key: 'agent', kind: 'text' },
			{ key: 'salary', kind: 'money' },
			{ key: 'salary_source', kind: 'text' },
			{ key: 'meetings_held', kind: 'int' },
			{ key: 'bonus1', kind: 'money' },
			{ key: 'days_met', kind: 'int' },
			{ key: 'bonus2', kind: 'money' },
			{ key: 'total', kind: 'money' }
		],
		rows: week.lines.map((l) => [
			l.agentName,
			l.salaryCents / 100,
			l.salarySource,
			l.meetingsHeld,
			l.bonus1Cents / 100,
			l.days.filter((d) => d.met).length,
			l.bonus2Cents / 100,
			l.totalCents / 100
		])
	};
}
