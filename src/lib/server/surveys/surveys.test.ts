import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { DatabaseHandle } from '../db';
import { calls } from '../db/schema';
import { testDatabases } from '../db/testing';
import { createFixture } from '../leads/fixtures';
import { checkAnswers, csvCell, questionsSchema } from './questions';
import { getSurvey, saveAnswers, surveyCsv, updateSurvey } from './index';

const QUESTIONS = [
	{ id: 'size', text: 'How many employees?', kind: 'number' as const },
	{ id: 'tools', text: 'Tools used', kind: 'multi' as const, choices: ['CRM', 'ERP', 'Excel'] },
	{ id: 'budget', text: 'Budget this year?', kind: 'yesno' as const },
	{ id: 'who', text: 'Decision maker', kind: 'choice' as const, choices: ['CEO', 'CFO'] },
	{ id: 'remark', text: 'Remark', kind: 'text' as const }
];

describe('survey questions and answers', () => {
	it('accepts the five kinds and refuses incomplete choice questions or duplicate ids', () => {
		expect(questionsSchema.parse(QUESTIONS)).toHaveLength(5);
		expect(questionsSchema.safeParse([{ id: 'a', text: 'x', kind: 'choice', choices: ['only one'] }]).success).toBe(false);
		expect(questionsSchema.safeParse([{ id: 'a', text: 'x', kind: 'multi', choices: ['A', 'A'] }]).success).toBe(false);
		expect(questionsSchema.safeParse([QUESTIONS[0], QUESTIONS[0]]).success).toBe(false);
		expect(questionsSchema.safeParse([{ id: 'a b', text: 'x', kind: 'text' }]).success).toBe(false);
	});

	it('keeps answers that fit their question and names the first that does not', () => {
		const qs = questionsSchema.parse(QUESTIONS);
		expect(checkAnswers(qs, { size: '12,5', tools: ['CRM', 'Excel'], budget: 'yes', who: 'CFO', remark: ' call in May ', ghost: 'x' })).toEqual({
			ok: true,
			answers: { size: '12.5', tools: ['CRM', 'Excel'], budget: 'yes', who: 'CFO', remark: 'call in May' }
		});
		expect(checkAnswers(qs, { size: '' })).toEqual({ ok: true, answers: {} });
		expect(checkAnswers(qs, { tools: ['CRM', 'Fax'] })).toEqual({ ok: false, questionId: 'tools' });
		expect(checkAnswers(qs, { who: 'CTO' })).toEqual({ ok: false, questionId: 'who' });
		expect(checkAnswers(qs, { size: 'many' })).toEqual({ ok: false, questionId: 'size' });
		expect(checkAnswers(qs, { budget: 'maybe' })).toEqual({ ok: false, questionId: 'budget' });
	});

	it('escapes cells a spreadsheet would run as formulas', () => {
		expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
		expect(csvCell('+33 1')).toBe("'+33 1");
		expect(csvCell('-1')).toBe("'-1");
		expect(csvCell('@SUM')).toBe("'@SUM");
		expect(csvCell('a,b')).toBe('"a,b"');
		expect(csvCell('plain')).toBe('plain');
	});
});

describe.each(testDatabases())('surveys on $name', ({ open }) => {
	let handle: DatabaseHandle;
	beforeAll(async () => {
		handle = await open();
	});
	afterAll(async () => {
		await handle?.close();
	});

	it('saves the questions, the answers of the agent’s own call, and exports them', async () => {
		const db = handle.db;
		const f = await createFixture(db, { agents: 2, leads: 1 });
		const [agent, other] = f.agents as [string, string];
		await expect(updateSurvey(db, f.projectId, { questions: 'not json' }, { id: agent, ip: 'test' })).rejects.toBeInstanceOf(ZodError);
		await updateSurvey(db, f.projectId, { questions: JSON.stringify(QUESTIONS) }, { id: agent, ip: 'test' });
		expect((await getSurvey(db, f.projectId))?.questions.map((q) => q.id)).toEqual(['size', 'tools', 'budget', 'who', 'remark']);
		const [call] = await db
			.insert(calls)
			.values({ pbx: 'sim', linkedid: `s-${f.projectId}`, direction: 'out', projectId: f.projectId, leadId: f.leads[0]!, agentId: agent, startedAt: new Date('2026-11-25T10:00:00Z') })
			.returning({ id: calls.id });
		expect(await saveAnswers(db, other, call!.id, { size: ['3'] })).toEqual({ ok: false, reason: 'no_call' });
		expect(await saveAnswers(db, agent, call!.id, { who: ['CTO'] })).toEqual({ ok: false, reason: 'bad_answer', questionId: 'who' });
		expect(await saveAnswers(db, agent, call!.id, { size: ['3'], tools: ['CRM', 'ERP'], remark: ['=cmd()'] })).toEqual({ ok: true });
		// answering again replaces
		expect(await saveAnswers(db, agent, call!.id, { size: ['4'], tools: ['CRM', 'ERP'], remark: ['=cmd()'] })).toEqual({ ok: true });
		const csv = await surveyCsv(db, f.projectId);
		const lines = csv.trim().split('\r\n');
		expect(lines).toHaveLength(2);
		expect(lines[0]).toBe('call,started_at,agent,company,How many employees?,Tools used,Budget this year?,Decision maker,Remark');
		expect(lines[1]).toBe(`${call!.id},2026-11-25T10:00:00.000Z,Agent 0,Company 0,4,CRM; ERP,,,'=cmd()`);
	});
});
