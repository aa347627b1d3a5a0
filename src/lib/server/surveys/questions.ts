/**
 * Survey questions and answers, pure: what a project may ask (text, single or multiple choice,
 * number, yes/no) and what an answer must look like. Used by the editor, the workstation and export.
 */
import { z } from 'zod';
import type { SurveyQuestion } from '../db/schema';

export const SURVEY_KINDS = ['text', 'choice', 'multi', 'number', 'yesno'] as const;
export const MAX_QUESTIONS = 30;

const choiceList = z.array(z.string().trim().min(1).max(100)).min(2).max(20);

export const questionSchema = z
	.object({
		id: z.string().regex(/^[a-z0-9_-]{1,40}$/i),
		text: z.string().trim().min(1).max(300),
		kind: z.enum(SURVEY_KINDS),
		choices: z.array(z.string()).optional()
	})
	.transform((q, ctx): SurveyQuestion => {
		if (q.kind === 'choice' || q.kind === 'multi') {
			const parsed = choiceList.safeParse((q.choices ?? []).map((c) => c.trim()).filter(Boolean));
			if (!parsed.success || new Set(parsed.data).size !== parsed.data.length) {
				ctx.addIssue({ code: 'custom', message: 'choices', path: ['choices'] });
				return z.NEVER;
			}
			return { id: q.id, text: q.text, kind: q.kind, choices: parsed.data };
		}
		return { id: q.id, text: q.text, kind: q.kind };
	});

export const questionsSchema = z
	.array(questionSchema)
	.max(MAX_QUESTIONS)
	.refine((qs) => new Set(qs.map((q) => q.id)).size === qs.length, { message: 'duplicate_id' });

export type Answers = Record<string, string | string[]>;

/**
 * Keeps the answers that fit their question: unknown questions and empty answers are dropped,
 * a wrong value (a choice not offered, a non-number) is an error naming the question.
 */
export function checkAnswers(questions: readonly SurveyQuestion[], raw: Record<string, string | string[]>): { ok: true; answers: Answers } | { ok: false; questionId: string } {
	const answers: Answers = {};
	for (const q of questions) {
		const value = raw[q.id];
		if (value === undefined) continue;
		const list = (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter(Boolean);
		if (list.length === 0) continue;
		switch (q.kind) {
			case 'multi':
				if (!list.every((v) => q.choices?.includes(v))) return { ok: false, questionId: q.id };
				answers[q.id] = [...new Set(list)];
				break;
			case 'choice':
				if (list.length !== 1 || !q.choices?.includes(list[0]!)) return { ok: false, questionId: q.id };
				answers[q.id] = list[0]!;
				break;
			case 'yesno':
				if (list.length !== 1 || (list[0] !== 'yes' && list[0] !== 'no')) return { ok: false, questionId: q.id };
				answers[q.id] = list[0]!;
				break;
			case 'number':
				if (list.length !== 1 || !Number.isFinite(Number(list[0]!.replace(',', '.')))) return { ok: false, questionId: q.id };
				answers[q.id] = String(Number(list[0]!.replace(',', '.')));
				break;
			case 'text':
				if (list.length !== 1 || list[0]!.length > 2000) return { ok: false, questionId: q.id };
				answers[q.id] = list[0]!;
				break;
		}
	}
	return { ok: true, answers };
}

/**
 * One CSV cell. Cells a spreadsheet would run as a formula (= + - @, and tab / CR that some apps
 * strip first) get a leading apostrophe; quotes, commas and line breaks are quoted.
 */
export function csvCell(value: string): string {
	const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: readonly string[]): string {
	return cells.map(csvCell).join(',') + '\r\n';
}
