import type { QueueView } from '$lib/protocol';

/** Answered within the threshold ÷ offered (abandons count against it); null before the first caller. */
export function serviceLevelShare(q: Pick<QueueView, 'offered' | 'answeredInSl'>): number | null {
	return q.offered === 0 ? null : q.answeredInSl / q.offered;
}
