/**
 * What the supervisor chose to look at on the wall-board: search text, state, team and sort
 * order, and the agents that result. Membership follows every patch frame; positions are
 * re-ranked on the shared clock's 1 s tick (or at once when the sort or the snapshot changes),
 * so tiles update in place and move at most once a second.
 */
import { untrack } from 'svelte';
import type { AgentState, AgentView } from '$lib/protocol';
import type { FloorStore } from '$lib/realtime/floor.svelte';
import { arrange, NameOrder, orderAgents, type SortKey } from './order';
import { countByState } from './states';

export { SORT_KEYS, type SortKey } from './order';

function fold(s: string): string {
	return s
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase();
}

export class FloorView {
	query = $state('');
	state = $state<AgentState | ''>('');
	team = $state('');
	sort = $state<SortKey>('name');

	readonly #floor: FloorStore;
	readonly #names: NameOrder;
	/** folded "name endpoint" per agent object (objects are replaced when they change) */
	readonly #keys = new WeakMap<AgentView, string>();

	constructor(floor: FloorStore, locale: string) {
		this.#floor = floor;
		this.#names = new NameOrder(locale);
	}

	/** Agents of the chosen team matching the search: what the summary strip counts. */
	readonly scoped: readonly AgentView[] = $derived.by(() => {
		const team = this.team;
		const words = fold(this.query).split(/\s+/).filter(Boolean);
		if (!team && !words.length) return this.#floor.agents;
		return this.#floor.agents.filter((a) => {
			if (team && !a.teamIds.includes(team)) return false;
			if (!words.length) return true;
			const key = this.#key(a);
			return words.every((w) => key.includes(w));
		});
	});

	readonly counts: ReadonlyMap<AgentState, number> = $derived(countByState(this.scoped));

	/** agent ids in sort order, recomputed on the clock's tick, a sort change or a new snapshot */
	readonly #order: readonly string[] = $derived.by(() => {
		void this.#floor.clock.now;
		void this.#floor.snapshots;
		const sort = this.sort;
		return untrack(() => orderAgents(this.#floor.agents, sort, this.#names));
	});

	/** The tiles, filtered by state and in the chosen order. */
	readonly visible: readonly AgentView[] = $derived.by(() => {
		const state = this.state;
		return arrange(state ? this.scoped.filter((a) => a.state === state) : this.scoped, this.#order);
	});

	toggleState(state: AgentState): void {
		this.state = this.state === state ? '' : state;
	}

	#key(a: AgentView): string {
		let key = this.#keys.get(a);
		if (key === undefined) {
			key = fold(`${a.name} ${a.endpoint}`);
			this.#keys.set(a, key);
		}
		return key;
	}
}
