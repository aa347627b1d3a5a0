import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { addDays, dayOf, mondayOf } from '$lib/reports/dates';
import { audit } from '$lib/server/audit';
import { clientIp } from '$lib/server/auth/guard';
import { publicHolidays } from '$lib/server/db/schema';
import { fieldErrors, formObject } from '$lib/server/forms';
import { approvePayWeek, holidaysBetween, loadPayWeek, saveAgentSalary, saveRule, teamAgents } from '$lib/server/reports/pay';
import { approveSchema, holidaySchema, ruleSchema, salarySchema } from '$lib/server/reports/pay-forms';
import { filterChoices, reportContext, type ReportContext } from '$lib/server/reports/route';
import { seesAllTeams } from '$lib/server/reports/scope';
import { payTeam } from '$lib/server/reports/tables';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await reportContext(event);
	const today = dayOf(new Date());
	// the week under review: the one holding `from`, else last week (the one to approve)
	const week = event.url.searchParams.get('from') ? mondayOf(ctx.scope.filters.from) : addDays(mondayOf(today), -7);
	const team = await payTeam(ctx);
	const filters = { ...ctx.scope.filters, from: week, to: addDays(week, 6), teamId: team };
	const canEdit = seesAllTeams(ctx.viewer);
	return {
		filters,
		choices: await filterChoices(ctx.db, ctx.scope),
		week: team ? await loadPayWeek(ctx.db, team, week) : null,
		canApprove: seesAllTeams(ctx.viewer) && addDays(week, 7) <= today,
		canEdit,
		// the salaries a manager may set, one per agent of the team
		agents: canEdit && team ? await teamAgents(ctx.db, team) : [],
		holidays: await holidaysBetween(ctx.db, addDays(week, -180), addDays(week, 365))
	};
};

async function managerContext(event: Pick<RequestEvent, 'locals' | 'url'>): Promise<ReportContext> {
	const ctx = await reportContext(event);
	if (!seesAllTeams(ctx.viewer)) error(403, { message: 'Only a manager changes pay.', code: 'forbidden' });
	return ctx;
}

export const actions: Actions = {
	approve: async (event) => {
		const ctx = await managerContext(event);
		const parsed = approveSchema.safeParse(formObject(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'approve', errors: fieldErrors(parsed.error) });
		const result = await approvePayWeek(ctx.db, ctx.viewer, parsed.data.team, parsed.data.week, dayOf(new Date()), clientIp(event));
		if (!result.ok) return fail(409, { action: 'approve', errors: { form: result.message } });
		return { action: 'approve', ok: true };
	},
	rule: async (event) => {
		const ctx = await managerContext(event);
		const parsed = ruleSchema.safeParse(formObject(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'rule', errors: fieldErrors(parsed.error) });
		const { team, ...rule } = parsed.data;
		await saveRule(ctx.db, ctx.viewer, team, rule, clientIp(event));
		return { action: 'rule', ok: true };
	},
	salary: async (event) => {
		const ctx = await managerContext(event);
		const parsed = salarySchema.safeParse(formObject(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'salary', errors: fieldErrors(parsed.error) });
		const { team, agent, weeklySalary } = parsed.data;
		const result = await saveAgentSalary(ctx.db, ctx.viewer, team, agent, weeklySalary, clientIp(event));
		if (!result.ok) return fail(400, { action: 'salary', errors: { form: result.message } });
		return { action: 'salary', ok: true };
	},
	addHoliday: async (event) => {
		const ctx = await managerContext(event);
		const parsed = holidaySchema.safeParse(formObject(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'holiday', errors: fieldErrors(parsed.error) });
		await ctx.db
			.insert(publicHolidays)
			.values(parsed.data)
			.onConflictDoUpdate({ target: publicHolidays.day, set: { name: parsed.data.name } });
		await audit(ctx.db, { actorId: ctx.viewer.id, action: 'holiday.changed', target: parsed.data.day, details: { name: parsed.data.name }, ip: clientIp(event) });
		return { action: 'holiday', ok: true };
	},
	removeHoliday: async (event) => {
		const ctx = await managerContext(event);
		const parsed = holidaySchema.pick({ day: true }).safeParse(formObject(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'holiday', errors: fieldErrors(parsed.error) });
		await ctx.db.delete(publicHolidays).where(eq(publicHolidays.day, parsed.data.day));
		await audit(ctx.db, { actorId: ctx.viewer.id, action: 'holiday.changed', target: parsed.data.day, details: { removed: true }, ip: clientIp(event) });
		return { action: 'holiday', ok: true };
	}
};
