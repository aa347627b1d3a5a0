/** Alert rule kinds and their defaults, shared by the leader's evaluator, the rules editor and the alert list. */
import type { AlertKind, AlertRule } from '$lib/protocol';

export const ALERT_KINDS: readonly AlertKind[] = [
	'paused_too_long',
	'no_connect',
	'low_intensity',
	'pbx_down',
	'caller_waiting',
	'list_exhausting'
];

/** Like VICIdial's defaults: long pauses and silent agents first; intensity is opt-in (targets vary by project). */
export const DEFAULT_RULES: Readonly<Record<AlertKind, AlertRule>> = {
	paused_too_long: { kind: 'paused_too_long', enabled: true, threshold: 15 },
	no_connect: { kind: 'no_connect', enabled: true, threshold: 30 },
	low_intensity: { kind: 'low_intensity', enabled: false, threshold: 10 },
	pbx_down: { kind: 'pbx_down', enabled: true, threshold: 30 },
	caller_waiting: { kind: 'caller_waiting', enabled: true, threshold: 60 },
	/** the "list exhausted in under one hour at the current pace" */
	list_exhausting: { kind: 'list_exhausting', enabled: true, threshold: 60 }
};

/** The unit of each rule's threshold. */
export const RULE_UNIT: Readonly<Record<AlertKind, 'minutes' | 'perHour' | 'seconds'>> = {
	paused_too_long: 'minutes',
	no_connect: 'minutes',
	low_intensity: 'perHour',
	pbx_down: 'seconds',
	caller_waiting: 'seconds',
	list_exhausting: 'minutes'
};

/** A team's stored rules completed with the defaults, in ALERT_KINDS order. */
export function completeRules(stored: readonly AlertRule[] | undefined): AlertRule[] {
	return ALERT_KINDS.map((kind) => stored?.find((r) => r.kind === kind) ?? DEFAULT_RULES[kind]);
}
