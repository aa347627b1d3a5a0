/**
 * Load mode: a steady stream of `rate` events per second for benchmarks. Every event the model
 * emits counts (bots, actions), and synthetic traffic tops the stream up to the rate. Synthetic short calls on the agents' phones — Newchannel, VarSet, Newstate (Ringing),
 * Newstate (Up), Hangup — with real channel names and Uniqueids, so a consumer processes them
 * like any other call (they never appear in CoreShowChannels: each lasts one burst).
 *
 * Pacing is by elapsed clock time (emitted = rate × elapsed), ticking every `tickMs`, so the
 * long-run rate is exact whatever the timer jitter; a backlog of more than one second (the
 * process was stalled) is dropped rather than bursted.
 */
import type { TimerId } from './clock';
import { ChannelState, causeText, channelEvent } from './fields';
import type { ChannelSnapshot, SimFields } from './fields';
import type { PbxModel } from './model';

export interface LoadHandle {
	/** events emitted so far */
	readonly emitted: number;
	stop(): void;
}

export function startLoad(model: PbxModel, rate: number, opts: { tickMs?: number } = {}): LoadHandle {
	const tickMs = opts.tickMs ?? 10;
	const agents = model.agents();
	const pending: SimFields[] = [];
	let next = 0;
	let seq = 0;
	/** every event the model emitted since start (including ours) */
	let emitted = 0;
	let stopped = false;
	const unsubscribe = model.onEvent(() => {
		emitted++;
	});
	let timer: TimerId | null = null;
	const start = model.clock.now();

	const refill = (): void => {
		const agent = agents.length > 0 ? agents[next++ % agents.length] : undefined;
		const { suffix, uniqueid } = model.allocChannelId();
		const endpoint = agent?.endpoint ?? 'PJSIP/load';
		const ch: ChannelSnapshot = {
			name: `${endpoint}-${suffix}`,
			state: ChannelState.Down,
			callerNum: agent?.extension ?? '<unknown>',
			callerName: agent?.name ?? '<unknown>',
			connNum: '<unknown>',
			connName: '<unknown>',
			language: 'en',
			accountCode: '',
			context: 'from-internal',
			exten: 's',
			priority: 1,
			uniqueid,
			linkedid: uniqueid
		};
		pending.push(channelEvent('Newchannel', 'call,all', ch));
		pending.push(channelEvent('VarSet', 'dialplan,all', ch, { Variable: 'SIM_LOAD', Value: String(++seq) }));
		pending.push(channelEvent('Newstate', 'call,all', { ...ch, state: ChannelState.Ringing }));
		pending.push(channelEvent('Newstate', 'call,all', { ...ch, state: ChannelState.Up }));
		pending.push(
			channelEvent(
				'Hangup',
				'call,all',
				{ ...ch, state: ChannelState.Up },
				{ Cause: '16', 'Cause-txt': causeText(16) }
			)
		);
		pending.reverse();
	};

	const tick = (): void => {
		timer = null;
		if (stopped) return;
		const due = Math.floor(((model.clock.now() - start) * rate) / 1000);
		if (due - emitted > rate) emitted = due - rate;
		while (emitted < due) {
			if (pending.length === 0) refill();
			const ev = pending.pop();
			if (ev === undefined) break;
			model.emit(ev);
		}
		timer = model.after(tickMs, tick);
	};
	timer = model.after(tickMs, tick);

	return {
		get emitted() {
			return emitted;
		},
		stop() {
			stopped = true;
			unsubscribe();
			if (timer !== null) model.cancel(timer);
			timer = null;
		}
	};
}
