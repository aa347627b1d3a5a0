import type { dispositions } from '../db/schema';

type DispositionSeed = Omit<typeof dispositions.$inferInsert, 'id' | 'projectId'>;

const HOUR = 3600;

/** The default call intensity of a new project (hotkeys 1–9). */
const BASE: Omit<DispositionSeed, 'sort'>[] = [
	{ code: 'no_answer', label: 'No answer', hotkey: 1, kind: 'failure', retryAfter: 2 * HOUR, maxAttempts: 5 },
	{ code: 'busy', label: 'Busy', hotkey: 2, kind: 'failure', retryAfter: 15 * 60, maxAttempts: 5 },
	{ code: 'gatekeeper', label: 'Gatekeeper', hotkey: 3, kind: 'refusal', retryAfter: 24 * HOUR, maxAttempts: 8, isContact: true },
	{ code: 'callback', label: 'Callback requested', hotkey: 4, kind: 'callback', retryAfter: null, maxAttempts: null, isContact: true },
	{ code: 'not_interested', label: 'Not interested', hotkey: 5, kind: 'final', retryAfter: null, maxAttempts: null, isContact: true },
	{ code: 'wrong_number', label: 'Wrong number', hotkey: 6, kind: 'final', retryAfter: null, maxAttempts: null, marksPhoneBad: true },
	{ code: 'meeting', label: 'Meeting booked', hotkey: 7, kind: 'success', retryAfter: null, maxAttempts: null, isContact: true, isMeeting: true }
];

export const DEFAULT_DISPOSITIONS: DispositionSeed[] = BASE.map((d, i) => ({ ...d, sort: i }));
