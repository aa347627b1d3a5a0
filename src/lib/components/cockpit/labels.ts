/** User-visible names of alert kinds, statuses and details (messages live in the cockpit i18n files). */
import { m } from '$lib/paraglide/messages';
import type { Locale } from '$lib/paraglide/runtime';
import type { AlertKind, AlertView, MonitorMode } from '$lib/protocol';

export function alertKindLabel(kind: AlertKind, locale?: Locale): string {
	const o = locale ? { locale } : {};
	switch (kind) {
		case 'paused_too_long':
			return m.cockpit_alert_kind_paused_too_long({}, o);
		case 'no_connect':
			return m.cockpit_alert_kind_no_connect({}, o);
		case 'low_intensity':
			return m.cockpit_alert_kind_low_intensity({}, o);
		case 'pbx_down':
			return m.cockpit_alert_kind_pbx_down({}, o);
		case 'caller_waiting':
			return m.cockpit_alert_kind_caller_waiting({}, o);
		case 'list_exhausting':
			return m.cockpit_alert_kind_list_exhausting({}, o);
	}
}

export function alertDetail(alert: Pick<AlertView, 'kind' | 'details'>, locale?: Locale): string {
	const o = locale ? { locale } : {};
	const d = alert.details;
	switch (alert.kind) {
		case 'paused_too_long':
			return (
				m.cockpit_alert_detail_minutes({ minutes: String(d.minutes ?? '') }, o) +
				(d.reason ? ` · ${d.reason}` : '')
			);
		case 'no_connect':
			return m.cockpit_alert_detail_minutes({ minutes: String(d.minutes ?? '') }, o);
		case 'low_intensity':
			return m.cockpit_alert_detail_intensity(
				{ perHour: String(d.perHour ?? ''), target: String(d.target ?? '') },
				o
			);
		case 'pbx_down':
		case 'caller_waiting':
			return m.cockpit_alert_detail_seconds({ seconds: String(d.seconds ?? '') }, o);
		case 'list_exhausting':
			return m.cockpit_alert_detail_exhausting(
				{ minutes: String(d.minutes ?? ''), remaining: String(d.remaining ?? ''), perHour: String(d.perHour ?? '') },
				o
			);
	}
}

export function modeVerb(mode: MonitorMode, locale?: Locale): string {
	const o = locale ? { locale } : {};
	return mode === 'listen'
		? m.cockpit_mode_verb_listen({}, o)
		: mode === 'whisper'
			? m.cockpit_mode_verb_whisper({}, o)
			: m.cockpit_mode_verb_barge({}, o);
}

export const PAUSE_REASONS = ['break', 'lunch', 'coaching', 'meeting', 'technical'] as const;
export type PauseReasonCode = (typeof PAUSE_REASONS)[number];

export function pauseReasonLabel(code: PauseReasonCode, locale?: Locale): string {
	const o = locale ? { locale } : {};
	switch (code) {
		case 'break':
			return m.cockpit_reason_break({}, o);
		case 'lunch':
			return m.cockpit_reason_lunch({}, o);
		case 'coaching':
			return m.cockpit_reason_coaching({}, o);
		case 'meeting':
			return m.cockpit_reason_meeting({}, o);
		case 'technical':
			return m.cockpit_reason_technical({}, o);
	}
}
