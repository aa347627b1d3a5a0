/**
 * Live charts and team colour thresholds in the browser, on the floor store's connection:
 * subscribe on every (re)connect (the ack is the state for this user's scope), then apply the
 * leader's deltas. A delta that does not follow the last one asks for the state again.
 */
import { createContext } from 'svelte';
import type { FloorchartsDelta, FloorchartsState } from '$lib/protocol';
import { applyChartsDelta, emptyChartsState } from '$lib/floorcharts/state';
import { ThresholdsIndex, type Thresholds } from '$lib/components/floor/thresholds';
import type { HubSocket } from './socket';

export class FloorchartsStore {
	#state = $state.raw<FloorchartsState>(emptyChartsState());
	#loaded = $state(false);
	#seq: number | null = null;
	#socket: HubSocket | null = null;
	#session = 0;

	/** effective colours per team, rebuilt when the thresholds change */
	readonly #thresholds = $derived(new ThresholdsIndex(this.#state.thresholds));

	get state(): FloorchartsState {
		return this.#state;
	}
	get loaded(): boolean {
		return this.#loaded;
	}

	/** The colours for an agent of these teams (the strictest of their teams, defaults when none set any). */
	thresholdsFor(teamIds: readonly string[]): Thresholds {
		return this.#thresholds.for(teamIds);
	}

	attach(socket: HubSocket): () => void {
		this.#socket = socket;
		socket.on('connect', this.#subscribe);
		socket.on('floorcharts:delta', this.#onDelta);
		if (socket.connected) this.#subscribe();
		return () => {
			this.#session++;
			socket.off('connect', this.#subscribe);
			socket.off('floorcharts:delta', this.#onDelta);
			this.#socket = null;
		};
	}

	readonly #subscribe = () => {
		const socket = this.#socket;
		if (!socket) return;
		const session = ++this.#session;
		this.#seq = null;
		socket.timeout(10_000).emit('floorcharts:subscribe', (err, ack) => {
			if (session !== this.#session) return;
			if (err || !ack?.ok) return; // the next reconnect asks again; the board keeps the defaults
			this.#state = ack.data;
			this.#seq = -1; // any next delta follows a fresh state
			this.#loaded = true;
		});
	};

	readonly #onDelta = (delta: FloorchartsDelta) => {
		if (this.#seq === null) return; // no state yet: the ack brings it
		if (!delta.reset && this.#seq !== -1 && delta.seq !== this.#seq + 1) {
			this.#subscribe();
			return;
		}
		this.#seq = delta.seq;
		this.#state = applyChartsDelta(this.#state, delta);
	};
}

export const [getCharts, setCharts] = createContext<FloorchartsStore>();
