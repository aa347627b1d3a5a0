/** Labels of meeting and letter states, one place for the pages and components of this area. */
import { m } from '$lib/paraglide/messages';

export const MEETING_STATUS: Record<string, () => string> = {
	scheduled: m.meetings_status_scheduled,
	held: m.meetings_status_held,
	no_show: m.meetings_status_no_show,
	cancelled: m.meetings_status_cancelled
};

export const DEAL: Record<string, () => string> = {
	pending: m.meetings_deal_pending,
	won: m.meetings_deal_won,
	lost: m.meetings_deal_lost
};

export const LETTER_STATUS: Record<string, () => string> = {
	queued: m.meetings_letter_status_queued,
	sent: m.meetings_letter_status_sent,
	failed: m.meetings_letter_status_failed,
	held: m.meetings_letter_status_held
};
