/**
 * In-process simulator helpers for bench cases that drive the PBX model themselves: load mode on
 * a chosen subset of agents (the others stay quiet, so the case alone changes them), and an event
 * counter to report the rate actually emitted.
 */
import { startLoad, type LoadHandle } from '../../../realtime/simulator/load';
import type { PbxModel, SimAgent } from '../../../realtime/simulator/model';

/**
 * Load mode (`rate` events/s, everything the model emits included) whose synthetic calls use only
 * `agents`' phones. startLoad takes the agent list from model.agents(): it gets a view of the model
 * that answers with `agents` and forwards everything else to the model itself.
 */
export function startLoadOn(model: PbxModel, agents: readonly SimAgent[], rate: number): LoadHandle {
	const view = new Proxy(model, {
		get(target, key) {
			if (key === 'agents') return () => [...agents];
			const value: unknown = Reflect.get(target, key, target);
			return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
		}
	});
	return startLoad(view, rate);
}

/** Counts every event the model emits from now on; returns a reader and an unsubscribe. */
export function countEvents(model: PbxModel): { count(): number; stop(): void } {
	let n = 0;
	const stop = model.onEvent(() => {
		n++;
	});
	return { count: () => n, stop };
}
