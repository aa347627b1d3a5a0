import { describe, expect, it } from 'vitest';
import { mergeCalls, sanitizeCall, uuidOrNull } from './calls';
import { describeError, isBadData, sqlState } from './errors';
import { SEC, T0, fact } from './test-support';

describe('call fact merging', () => {
	const a = fact({
		agentId: 'x',
		number: '555',
		answeredAt: T0 + 5 * SEC,
		recording: '/r.wav',
		dialStatus: 'ANSWER'
	});
	const b = fact({ startedAt: T0 + 40 * SEC, endedAt: T0 + 60 * SEC, direction: 'in', hangupCause: 16 });

	it('keeps known values, the earliest start and answer, the latest end and the latest direction', () => {
		expect(mergeCalls(a, b)).toEqual({
			...a,
			direction: 'in',
			startedAt: T0,
			answeredAt: T0 + 5 * SEC,
			endedAt: T0 + 60 * SEC,
			hangupCause: 16
		});
	});

	it('is idempotent: merging a fact again changes nothing', () => {
		const m = mergeCalls(a, b);
		expect(mergeCalls(m, b)).toEqual(m);
		expect(mergeCalls(m, m)).toEqual(m);
	});

	it('turns garbage SB ids into null before merging, so they never hide a good value', () => {
		const lead = '0b5e3c5a-6f0e-4e39-9d39-6c1f7a7e2a10';
		const good = sanitizeCall(
			fact({ leadId: lead.toUpperCase(), callId: 'call:1', projectId: '', agentId: 'agent1' })
		);
		expect(good).toMatchObject({ leadId: lead, callId: null, projectId: null, agentId: null });
		expect(mergeCalls(good, sanitizeCall(fact({ leadId: 'lead-42' }))).leadId).toBe(lead);
		expect(uuidOrNull(`{${lead}}`)).toBeNull();
	});
});

describe('database errors', () => {
	it('finds the SQLSTATE through wrappers and calls only classes 22 and 23 bad data', () => {
		const pg = Object.assign(new Error('value "1099511627776" is out of range for type integer'), {
			code: '22003'
		});
		const wrapped = new Error('Failed query: insert …', { cause: pg });
		expect(sqlState(wrapped)).toBe('22003');
		expect(isBadData(wrapped)).toBe(true);
		expect(isBadData(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(true);
		expect(isBadData(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(false);
		expect(isBadData(Object.assign(new Error('closed'), { code: 'CONNECTION_ENDED' }))).toBe(false);
		expect(isBadData(new Error('connect ECONNREFUSED'))).toBe(false);
		expect(describeError(wrapped)).toEqual({
			message: 'value "1099511627776" is out of range for type integer',
			code: '22003'
		});
	});
});
