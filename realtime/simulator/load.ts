/**
 * Load mode: a steady stream of `rate` events per second for benchmarks. Every event the model
 * emits counts (bots, actions), and synthetic traffic tops the stream up to the rate. Synthetic
 * short calls on the agents' phones, with real channel names and Uniqueids, so a consumer
 * processes them like any other call; the one in flight is listed by CoreShowChannels like a real one.
 *
 * Each call has the mix real Asterisk sends (ami-transcripts README, "Volume": ~140 messages per
 * call, over half of them VarSet and Newexten): Newchannel, the dialplan's Newexten/VarSet
 * (DIALSTATUS, BRIDGEPEER, RINGTIME…), NewCallerid/NewConnectedLine, Newstate Ringing and Up,
 * DeviceStateChange of the phone, hangup requests and handlers, Hangup: CALL_EVENTS events per call.
 * Most of it is what a floor consumer's event filter drops early (Newexten, NewCallerid…) or
 * ignores (VarSet of variables it does not read), as with a real PBX.
 *
 * Pacing is by elapsed clock time (emitted = rate × elapsed), ticking every `tickMs`, so the
 * long-run rate is exact whatever the timer jitter; a backlog of more than one second (the
 * process was stalled) is dropped rather than bursted.
 */
import type { TimerId } from './clock';
import { ChannelState, causeText, channelEvent, eventHead } from './fields';
import type { ChannelSnapshot, SimFields } from './fields';
import type { ChannelInfo, PbxModel } from './model';

/** dialplan applications and channel variables of a real call (g_burst_errors_logoff) */
const APPS = ['Set', 'NoOp', 'Wait', 'ExecIf', 'Set', 'Ringing', 'Set', 'NoOp', 'AppDial', 'Answer'];
const VARS = [
	'DIALEDPEERNUMBER',
	'BRIDGEPEER',
	'DIALSTATUS',
	'_TALK',
	'_PSTN_RING',
	'_NOAUDIO',
	'RINGTIME_MS',
	'RINGTIME',
	'DIALEDTIME_MS',
	'DIALEDTIME',
	'DIALEDPEERNAME',
	'ANSWEREDTIME_MS',
	'ANSWEREDTIME',
	'AGENT_RING',
	'PROGRESSTIME_MS',
	'GOSUB_RETVAL'
];

/** events of one synthetic call */
export const CALL_EVENTS = 141;

export interface LoadHandle {
	/** events emitted so far */
	readonly emitted: number;
	/**
	 * Stop. `finish`: first emit the rest of the synthetic call in flight, so a consumer is not left
	 * with a call that never hangs up (fault tests compare the board with the model after a stop).
	 */
	stop(opts?: { finish?: boolean }): void;
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
	/** the synthetic call's channel while it is up on the wire (Newchannel … Hangup), as CoreShowChannels lists it */
	let live: ChannelInfo | null = null;
	let device: string | null = null;
	const removeSource = model.addChannelSource(() => (live === null ? [] : [live]));
	const track = (ev: SimFields): void => {
		if (ev.Event === 'Newchannel') {
			live = {
				name: String(ev.Channel),
				state: Number(ev.ChannelState),
				callerNum: String(ev.CallerIDNum),
				callerName: String(ev.CallerIDName),
				connNum: String(ev.ConnectedLineNum),
				connName: String(ev.ConnectedLineName),
				language: String(ev.Language),
				accountCode: String(ev.AccountCode),
				context: String(ev.Context),
				exten: String(ev.Exten),
				priority: Number(ev.Priority),
				uniqueid: String(ev.Uniqueid),
				linkedid: String(ev.Linkedid),
				tech: 'PJSIP',
				application: 'AppDial',
				applicationData: '',
				bridgeId: '',
				createdAt: model.clock.now(),
				answeredAt: null,
				variables: new Map(),
				device
			};
		} else if (live !== null && ev.Event === 'Newstate') {
			const state = Number(ev.ChannelState);
			live = { ...live, state, answeredAt: state === ChannelState.Up ? model.clock.now() : live.answeredAt };
		} else if (ev.Event === 'Hangup') {
			live = null;
		}
	};
	// the channel exists before its Newchannel is sent and is gone when its Hangup is
	const emit = (ev: SimFields): void => {
		track(ev);
		model.emit(ev);
	};

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
		device = agent?.endpoint ?? null;
		let cur = ch;
		const dialplan = (steps: number, varsPerStep: number): void => {
			for (let i = 0; i < steps; i++) {
				cur = { ...cur, priority: cur.priority + 1 };
				const app = APPS[(cur.priority + i) % APPS.length] ?? 'NoOp';
				pending.push(
					channelEvent('Newexten', 'dialplan,all', cur, {
						Extension: cur.exten,
						Application: app,
						AppData: ''
					})
				);
				for (let v = 0; v < varsPerStep; v++) {
					const name = VARS[(cur.priority * varsPerStep + v) % VARS.length] ?? 'TT';
					pending.push(channelEvent('VarSet', 'dialplan,all', cur, { Variable: name, Value: String(seq) }));
				}
			}
		};
		const deviceState = (state: string): void => {
			if (device !== null)
				pending.push({ ...eventHead('DeviceStateChange', 'call,all'), Device: device, State: state });
		};
		pending.push(channelEvent('Newchannel', 'call,all', cur));
		pending.push(channelEvent('VarSet', 'dialplan,all', cur, { Variable: 'SIM_LOAD', Value: String(++seq) }));
		pending.push(
			channelEvent('NewCallerid', 'call,all', cur, { CID_CallingPres: '0 (Presentation Allowed)' })
		);
		dialplan(20, 2);
		deviceState('RINGING');
		cur = { ...cur, state: ChannelState.Ringing };
		pending.push(channelEvent('Newstate', 'call,all', cur));
		pending.push(channelEvent('NewConnectedLine', 'call,all', cur));
		dialplan(10, 1);
		deviceState('INUSE');
		cur = { ...cur, state: ChannelState.Up };
		pending.push(channelEvent('Newstate', 'call,all', cur));
		pending.push(channelEvent('NewConnectedLine', 'call,all', cur));
		dialplan(15, 2);
		pending.push(channelEvent('HangupHandlerPush', 'dialplan,all', cur, { Handler: 'hangup-handler,s,1' }));
		pending.push(channelEvent('HangupRequest', 'call,all', cur, { Cause: '16' }));
		pending.push(channelEvent('SoftHangupRequest', 'call,all', cur, { Cause: '16' }));
		pending.push(channelEvent('SoftHangupRequest', 'call,all', cur, { Cause: '16' }));
		pending.push(channelEvent('HangupHandlerRun', 'dialplan,all', cur, { Handler: 'hangup-handler,s,1' }));
		pending.push(channelEvent('Hangup', 'call,all', cur, { Cause: '16', 'Cause-txt': causeText(16) }));
		deviceState('NOT_INUSE');
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
			emit(ev);
		}
		timer = model.after(tickMs, tick);
	};
	timer = model.after(tickMs, tick);

	return {
		get emitted() {
			return emitted;
		},
		stop(opts = {}) {
			if (stopped) return;
			stopped = true;
			if (opts.finish === true) {
				for (let ev = pending.pop(); ev !== undefined; ev = pending.pop()) emit(ev);
			}
			unsubscribe();
			removeSource();
			live = null;
			if (timer !== null) model.cancel(timer);
			timer = null;
		}
	};
}
