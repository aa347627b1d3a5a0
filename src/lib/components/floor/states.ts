/** Agent states in wall-board order, with their translated labels. */
import type { AgentState, MonitorMode } from '$lib/protocol';
import { m } from '$lib/paraglide/messages';
import type { Locale } from '$lib/paraglide/runtime';

/** Busy first: the order of the summary strip and of "sort by state". */
export const STATES: readonly AgentState[] = [
	'talking',
	'ringing',
	'dialing',
	'wrapup',
	'idle',
	'paused',
	'offline'
];

const RANK = new Map(STATES.map((s, i) => [s, i]));

export function stateRank(state: AgentState): number {
	return RANK.get(state) ?? STATES.length;
}

/** `locale` is passed in: reading it per call (a cookie read) is measurable with 2,000 tiles. */
export function stateLabel(state: AgentState, locale?: Locale): string {
	const o = { locale };
	switch (state) {
		case 'offline':
			return m.state_offline({}, o);
		case 'idle':
			return m.state_idle({}, o);
		case 'ringing':
			return m.state_ringing({}, o);
		case 'dialing':
			return m.state_dialing({}, o);
		case 'talking':
			return m.state_talking({}, o);
		case 'wrapup':
			return m.state_wrapup({}, o);
		case 'paused':
			return m.state_paused({}, o);
	}
}

export function modeLabel(mode: MonitorMode, locale?: Locale): string {
	const o = { locale };
	switch (mode) {
		case 'listen':
			return m.floor_mode_listen({}, o);
		case 'whisper':
			return m.floor_mode_whisper({}, o);
		case 'barge':
			return m.floor_mode_barge({}, o);
	}
}

export function countByState(agents: readonly { state: AgentState }[]): ReadonlyMap<AgentState, number> {
	const counts = new Map<AgentState, number>(STATES.map((s) => [s, 0]));
	for (const a of agents) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
	return counts;
}

/** The connection status line of the board and the TV wall. */
export function connectionLabel(status: string, locale?: Locale): string {
	const options = locale ? { locale } : {};
	if (status === 'live') return m.floor_live({}, options);
	if (status === 'connecting') return m.floor_connecting({}, options);
	return m.floor_disconnected({}, options);
}
