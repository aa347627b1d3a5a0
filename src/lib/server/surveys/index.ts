/**
 * A project's survey (one per project) and its answers, one row per call (DESIGN §2): the editor
 * saves the questions, the workstation saves the answers with the call's disposition, and the
 * manager exports them as CSV.
 */
import { error } from '@sveltejs/kit';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { audit } from '../audit';
import type { Db, DbOrTx } from '../db';
import { calls, leads, projects, surveyAnswers, surveys, users, type SurveyQuestion } from '../db/schema';
import { checkAnswers, csvLine, questionsSchema } from './questions';

export interface ProjectSurvey {
	id: string;
	questions: SurveyQuestion[];
}

export async function getSurvey(db: DbOrTx, projectId: string): Promise<ProjectSurvey | null> {
	const [s] = await db
		.select({ id: surveys.id, questions: surveys.questions })
		.from(surveys)
		.where(eq(surveys.projectId, projectId))
		.orderBy(desc(surveys.createdAt))
		.limit(1);
	return s ?? null;
}

/** Replaces the project's questions (answers already given keep their question ids). */
export async function saveSurvey(db: DbOrTx, projectId: string, questions: SurveyQuestion[]): Promise<string> {
	const current = await getSurvey(db, projectId);
	if (current) {
		await db.update(surveys).set({ questions }).where(eq(surveys.id, current.id));
		return current.id;
	}
	const [s] = await db.insert(surveys).values({ projectId, questions }).returning({ id: surveys.id });
	return s!.id;
}

export type SaveAnswersResult = { ok: true } | { ok: false; reason: 'no_survey' | 'no_call' | 'bad_answer'; questionId?: string };

/**
 * Saves (or replaces) the answers given during `callId`, which must be this agent's call in a
 * project that has a survey.
 */
export async function saveAnswers(db: DbOrTx, agentId: string, callId: string, raw: Record<string, string | string[]>): Promise<SaveAnswersResult> {
	const [call] = await db
		.select({ projectId: calls.projectId })
		.from(calls)
		.where(and(eq(calls.id, callId), eq(calls.agentId, agentId)));
	if (!call?.projectId) return { ok: false, reason: 'no_call' };
	const survey = await getSurvey(db, call.projectId);
	if (!survey) return { ok: false, reason: 'no_survey' };
	const checked = checkAnswers(survey.questions, raw);
	if (!checked.ok) return { ok: false, reason: 'bad_answer', questionId: checked.questionId };
	await db
		.insert(surveyAnswers)
		.values({ surveyId: survey.id, callId, answers: checked.answers })
		.onConflictDoUpdate({ target: [surveyAnswers.surveyId, surveyAnswers.callId], set: { answers: checked.answers, createdAt: sql`now()` } });
	return { ok: true };
}

/** The answers of a project as CSV: one line per call, one column per question. */
export async function surveyCsv(db: DbOrTx, projectId: string): Promise<string> {
	const survey = await getSurvey(db, projectId);
	if (!survey) return csvLine(['call', 'started_at', 'agent', 'company']);
	const rows = await db
		.select({ callId: calls.id, startedAt: calls.startedAt, agent: users.name, company: leads.company, answers: surveyAnswers.answers })
		.from(surveyAnswers)
		.innerJoin(calls, eq(calls.id, surveyAnswers.callId))
		.leftJoin(users, eq(users.id, calls.agentId))
		.leftJoin(leads, eq(leads.id, calls.leadId))
		.where(eq(surveyAnswers.surveyId, survey.id))
		.orderBy(asc(calls.startedAt));
	let out = csvLine(['call', 'started_at', 'agent', 'company', ...survey.questions.map((q) => q.text)]);
	for (const r of rows) {
		const cells = survey.questions.map((q) => {
			const a = r.answers[q.id];
			return Array.isArray(a) ? a.join('; ') : (a ?? '');
		});
		out += csvLine([r.callId, r.startedAt.toISOString(), r.agent ?? '', r.company ?? '', ...cells]);
	}
	return out;
}

const surveyFormSchema = z.object({
	questions: z
		.string()
		.transform((text, ctx): unknown => {
			try {
				return JSON.parse(text);
			} catch {
				ctx.addIssue({ code: 'custom', message: 'Not a list of questions.' });
				return z.NEVER;
			}
		})
		.pipe(questionsSchema)
});

/** The editor's form action body (manager role checked by the caller): validate, save, audit. */
export async function updateSurvey(db: Db, projectId: string, input: Record<string, unknown>, actor: { id: string; ip: string }): Promise<void> {
	const { questions } = surveyFormSchema.parse(input);
	await db.transaction(async (tx) => {
		const [p] = await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId));
		if (!p) error(404, { message: 'No such project.' });
		await saveSurvey(tx, projectId, questions);
		await audit(tx, { actorId: actor.id, action: 'project.updated', target: projectId, details: { section: 'survey', questions: questions.length }, ip: actor.ip });
	});
}
