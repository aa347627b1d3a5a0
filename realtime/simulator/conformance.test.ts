/**
 * Conformance of the simulator's bytes with real Asterisk 22 recordings (../shared/ami-transcripts).
 *
 * For the scenarios recorded there (a status snapshot, b click-to-call answered, c failures,
 * d queue, e spy, f MixMonitor, g/g3 errors and MD5 login) the simulator is driven the same way
 * over real TCP and its output is compared:
 * - framing: banner line then the first response directly, CRLF only, every message closed by
 *   one blank line;
 * - events: for every event name the simulator sends that the recordings also contain, its field
 *   names in order equal one of the recorded variants of that event (variants are pooled over all
 *   recordings: an event's layout does not depend on the scenario), minus the fields listed in
 *   IGNORED_FIELDS;
 * - responses: for each action the scenario sends, the response keys equal a recorded response to
 *   the same action (and outcome).
 *
 * Differences that are deliberate (PJSIP instead of Local channels: no LocalBridge, no `;1`/`;2`;
 * no dialplan-specific events such as UserEvent, HangupHandler*, MusicOnHold*, Queue:<q>_avail
 * device states) are about which events occur, not about their layout, so they do not show here.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AmiParser, first } from '../ami/parser';
import type { AmiMessage } from '../ami/parser';
import { FakeClock } from './clock';
import { startSimulator } from './server';
import type { SimulatorHandle } from './server';
import { AmiTestClient } from './test-client';

const DIR = path.resolve(import.meta.dirname, '../../../shared/ami-transcripts');
const HAVE = existsSync(DIR);

/**
 * Fields left out of the comparison, with the reason. Everything else must match in name and order.
 */
const IGNORED_FIELDS: Record<string, string> = {
	// manager.conf timestampevents=yes / channelvars=… (b2 recording only); the simulator runs with the defaults
	Timestamp: 'only with timestampevents=yes',
	ChanVariable: 'only with channelvars= set in manager.conf'
};
/** `DestChanVariable`, `LocalOneChanVariable`, … are channelvars too. */
const isIgnored = (key: string): boolean =>
	key in IGNORED_FIELDS || key.endsWith('ChanVariable') || /^ChanVariable\(/.test(key);

function keysOf(m: AmiMessage): string {
	return Object.keys(m)
		.filter((k) => !isIgnored(k))
		.join(' ');
}

interface Recording {
	/** event name → recorded key sequences */
	events: Map<string, Set<string>>;
	/** action name (lowercase) → recorded response key sequences (by Response value) */
	responses: Map<string, Set<string>>;
}

function parseMessages(bytes: Buffer, banner: boolean): AmiMessage[] {
	const p = new AmiParser({ expectBanner: banner, encoding: 'latin1' });
	return p.push(bytes);
}

function record(into: Recording, rx: AmiMessage[], tx: AmiMessage[]): void {
	const actionById = new Map<string, string>();
	for (const a of tx) {
		const id = first(a, 'ActionID');
		const act = first(a, 'Action');
		if (id !== undefined && act !== undefined) actionById.set(id, act.toLowerCase());
	}
	for (const m of rx) {
		const ev = first(m, 'Event');
		if (ev !== undefined) {
			const set = into.events.get(ev) ?? new Set<string>();
			set.add(keysOf(m));
			into.events.set(ev, set);
			continue;
		}
		const resp = first(m, 'Response');
		const id = first(m, 'ActionID');
		if (resp === undefined || id === undefined) continue;
		const act = actionById.get(id);
		if (act === undefined) continue;
		const set = into.responses.get(act) ?? new Set<string>();
		set.add(keysOf(m));
		into.responses.set(act, set);
	}
}

function loadRecordings(): Recording {
	const rec: Recording = { events: new Map(), responses: new Map() };
	for (const f of readdirSync(DIR).filter((n) => n.endsWith('.rx.ami'))) {
		const rx = parseMessages(readFileSync(path.join(DIR, f)), true);
		const tx = parseMessages(readFileSync(path.join(DIR, f.replace('.rx.ami', '.tx.ami'))), false);
		record(rec, rx, tx);
	}
	return rec;
}

/** Events of one recording (to check that a scenario exercises what it should). */
function eventNamesOf(file: string): Set<string> {
	const rx = parseMessages(readFileSync(path.join(DIR, `${file}.rx.ami`)), true);
	return new Set(rx.map((m) => first(m, 'Event')).filter((e): e is string => e !== undefined));
}

function checkFraming(bytes: Buffer): void {
	const text = bytes.toString('latin1');
	expect(text.startsWith('Asterisk Call Manager/11.0.0\r\nResponse: ')).toBe(true);
	expect(/[^\r]\n/.test(text)).toBe(false);
	expect(/\r(?!\n)/.test(text)).toBe(false);
	expect(text.endsWith('\r\n\r\n')).toBe(true);
	// no empty message (a blank line right after a blank line)
	expect(text.includes('\r\n\r\n\r\n')).toBe(false);
	// every message after the banner is `Key: value` lines
	const body = text.slice('Asterisk Call Manager/11.0.0\r\n'.length, -4);
	for (const msg of body.split('\r\n\r\n')) {
		for (const line of msg.split('\r\n')) expect(line).toMatch(/^[A-Za-z0-9_()-]+: /);
	}
}

interface Session {
	sim: SimulatorHandle;
	clock: FakeClock;
	c: AmiTestClient;
	/** actions sent: ActionID → action name */
	sent: Map<string, string>;
	act(fields: Record<string, string | number | string[]>): Promise<AmiMessage>;
	list(fields: Record<string, string | number | string[]>): Promise<AmiMessage[]>;
	advance(ms: number): Promise<void>;
	finish(): Promise<Buffer>;
}

const AGENTS = [
	{ endpoint: 'PJSIP/1001', name: 'Agent One', extension: '1001' },
	{ endpoint: 'PJSIP/1002', name: 'Agent Two', extension: '1002' },
	{ endpoint: 'PJSIP/1003', name: 'Agent Three', extension: '1003' }
];
const QUEUES = [
	{ name: 'sales', members: ['PJSIP/1001', 'PJSIP/1002'], memberTimeoutMs: 6000 },
	{ name: 'support', members: ['PJSIP/1003'], memberTimeoutMs: 8000 }
];

const open: SimulatorHandle[] = [];
afterEach(async () => {
	for (const s of open.splice(0)) await s.close();
});

async function session(): Promise<Session> {
	const clock = new FakeClock();
	const sim = await startSimulator({
		agents: AGENTS,
		queues: QUEUES,
		username: 'cockpit',
		secret: 'cockpit',
		clock,
		seed: 3
	});
	open.push(sim);
	const c = await AmiTestClient.connect(sim.port);
	const sent = new Map<string, string>();
	const s: Session = {
		sim,
		clock,
		c,
		sent,
		async act(fields) {
			const id = c.nextActionId('conf');
			sent.set(id, String(fields.Action).toLowerCase());
			return c.action({ ...fields, ActionID: id });
		},
		async list(fields) {
			const id = c.nextActionId('conf');
			sent.set(id, String(fields.Action).toLowerCase());
			const r = await c.list({ ...fields, ActionID: id });
			return r.items;
		},
		async advance(ms) {
			// in steps, letting the socket deliver between them
			for (let t = 0; t < ms; t += 250) {
				clock.advance(Math.min(250, ms - t));
				await new Promise((r) => setImmediate(r));
			}
			// make sure everything written so far has arrived: a Ping round trip
			await c.action({ Action: 'Ping' });
		},
		async finish() {
			await s.act({ Action: 'Logoff' });
			await c.closed;
			return c.bytes();
		}
	};
	const login = await s.act({ Action: 'Login', Username: 'cockpit', Secret: 'cockpit', Events: 'on' });
	expect(first(login, 'Message')).toBe('Authentication accepted');
	return s;
}

function compare(rec: Recording, s: Session, bytes: Buffer, scenario: string, mustCover: string[]): void {
	checkFraming(bytes);
	const msgs = parseMessages(bytes, true);
	const recorded = eventNamesOf(scenario);
	const compared = new Set<string>();
	const mismatches: string[] = [];
	const invented = new Set<string>();
	for (const m of msgs) {
		const ev = first(m, 'Event');
		if (ev !== undefined) {
			const variants = rec.events.get(ev);
			if (variants === undefined) {
				invented.add(ev);
				continue;
			}
			compared.add(ev);
			const keys = keysOf(m);
			if (!variants.has(keys))
				mismatches.push(`${ev}: ${keys}\n  recorded: ${[...variants].join('\n            ')}`);
			continue;
		}
		const id = first(m, 'ActionID');
		const act = id === undefined ? undefined : s.sent.get(id);
		if (act === undefined) continue;
		const variants = rec.responses.get(act);
		if (variants === undefined) continue;
		const keys = keysOf(m);
		if (!variants.has(keys))
			mismatches.push(`response to ${act}: ${keys}\n  recorded: ${[...variants].join(' | ')}`);
	}
	expect(mismatches).toEqual([]);
	// the simulator never sends an event Asterisk did not send in the recordings
	expect([...invented]).toEqual([]);
	for (const ev of mustCover) {
		expect.soft(recorded.has(ev), `${scenario} recording has ${ev}`).toBe(true);
		expect(compared.has(ev), `simulator emitted ${ev} in ${scenario}`).toBe(true);
	}
}

describe.skipIf(!HAVE)('conformance with real Asterisk transcripts', () => {
	const rec = HAVE ? loadRecordings() : { events: new Map(), responses: new Map() };

	it('a: status snapshot (CoreSettings, CoreStatus, Command, Status, CoreShowChannels, QueueStatus/Summary, Hangup /regex/)', async () => {
		const s = await session();
		await s.act({ Action: 'CoreSettings' });
		await s.act({ Action: 'CoreStatus' });
		await s.act({ Action: 'Command', Command: 'core show version' });
		await s.list({ Action: 'Status' });
		await s.list({ Action: 'CoreShowChannels' });
		await s.list({ Action: 'QueueStatus' });
		await s.list({ Action: 'QueueSummary' });
		await s.act({ Action: 'Setvar', Variable: 'RING_agent3', Value: 'never' });
		s.sim.model.setAnswerMode('PJSIP/1003', 'never');
		s.sim.model.inboundCall({
			queue: 'sales',
			callerNum: '5550101',
			callerName: 'Alice Customer',
			patienceMs: 60_000
		});
		s.sim.model.inboundCall({
			queue: 'support',
			callerNum: '5550102',
			callerName: 'Bob Customer',
			patienceMs: 60_000
		});
		await s.advance(3000);
		const status = await s.list({ Action: 'Status' });
		expect(status.length).toBeGreaterThan(0);
		await s.list({ Action: 'CoreShowChannels' });
		const qs = await s.list({ Action: 'QueueStatus' });
		expect(qs.some((m) => first(m, 'Event') === 'QueueEntry')).toBe(true);
		await s.list({ Action: 'QueueSummary' });
		await s.list({ Action: 'QueueStatus', Queue: 'sales', Member: 'PJSIP/1001' });
		await s.list({ Action: 'QueueSummary', Queue: 'support' });
		await s.act({ Action: 'Command', Command: 'core show channels concise' });
		const hung = await s.list({ Action: 'Hangup', Channel: '/^PJSIP\\/trunk-/', Cause: 16 });
		expect(hung.length).toBe(2);
		await s.advance(100);
		await s.list({ Action: 'CoreShowChannels' });
		const bytes = await s.finish();
		compare(rec, s, bytes, 'a_status_snapshot', [
			'Status',
			'StatusComplete',
			'CoreShowChannel',
			'CoreShowChannelsComplete',
			'QueueParams',
			'QueueMember',
			'QueueEntry',
			'QueueSummary',
			'QueueStatusComplete',
			'ChannelHungup',
			'ChannelsHungupListComplete',
			'QueueCallerJoin',
			'AgentCalled',
			'AgentConnect',
			'AgentComplete',
			'QueueCallerAbandon',
			'QueueCallerLeave',
			'VarSet',
			'FullyBooted',
			'SuccessfulAuth'
		]);
	});

	it('b: click-to-call answered', async () => {
		const s = await session();
		await s.act({
			Action: 'Originate',
			Channel: 'PJSIP/1001',
			Context: 'outbound',
			Exten: '5551234',
			Priority: 1,
			CallerID: '"Agent1" <1001>',
			Async: 'true',
			Variable: ['SB_CALL=6f1c,SB_LEAD=42', 'SIM_TALK=3']
		});
		await s.advance(8000);
		await s.list({ Action: 'CoreShowChannels' });
		const bytes = await s.finish();
		compare(rec, s, bytes, 'b_click2call_answered', [
			'Newchannel',
			'Newstate',
			'NewCallerid',
			'NewConnectedLine',
			'VarSet',
			'DialBegin',
			'DialState',
			'DialEnd',
			'OriginateResponse',
			'BridgeCreate',
			'BridgeEnter',
			'BridgeLeave',
			'BridgeDestroy',
			'SoftHangupRequest',
			'HangupRequest',
			'Hangup',
			'Cdr',
			'DeviceStateChange',
			'QueueMemberStatus',
			'Newexten'
		]);
	});

	it('c: click-to-call failures, agent no answer, direct originate failures, synchronous Originate', async () => {
		const s = await session();
		for (const n of ['5550486', '5550487', '5550488', '5550489']) {
			await s.act({
				Action: 'Originate',
				Channel: 'PJSIP/1001',
				Context: 'outbound',
				Exten: n,
				Priority: 1,
				CallerID: '"Agent1" <1001>',
				Async: 'true'
			});
			await s.advance(8000);
			await s.list({ Action: 'CoreShowChannels' });
		}
		s.sim.model.setAnswerMode('PJSIP/1002', 'never');
		await s.act({
			Action: 'Originate',
			Channel: 'PJSIP/1002',
			Context: 'outbound',
			Exten: '5551234',
			Priority: 1,
			CallerID: '"Agent Two" <1002>',
			Timeout: 5000,
			Async: 'true'
		});
		await s.advance(6000);
		for (const n of ['5550486', '5550488', '5550487']) {
			await s.act({
				Action: 'Originate',
				Channel: `PJSIP/${n}@trunk`,
				Application: 'Wait',
				Data: '1',
				Timeout: 4000,
				Async: 'true'
			});
			await s.advance(5000);
		}
		const sync = s.act({
			Action: 'Originate',
			Channel: 'PJSIP/1001',
			Context: 'outbound',
			Exten: '5551235',
			Priority: 1,
			CallerID: '"Agent One" <1001>',
			Variable: 'SIM_TALK=2'
		});
		await new Promise((r) => setTimeout(r, 20));
		s.clock.advance(1500);
		await sync;
		await s.advance(6000);
		await s.list({ Action: 'CoreShowChannels' });
		const bytes = await s.finish();
		const reasons = s.c
			.events('OriginateResponse')
			.map((m) => `${first(m, 'Response')}/${first(m, 'Reason')}`);
		expect(reasons).toEqual([
			'Success/4',
			'Success/4',
			'Success/4',
			'Success/4',
			'Failure/3',
			'Failure/5',
			'Failure/8',
			'Failure/3'
		]);
		compare(rec, s, bytes, 'c_click2call_failures', [
			'OriginateResponse',
			'DialEnd',
			'Hangup',
			'HangupRequest',
			'SoftHangupRequest',
			'Newstate'
		]);
	});

	it('d: queue calls, QueueAdd/Pause/Penalty/Remove, abandon, ring-no-answer', async () => {
		const s = await session();
		const m = s.sim.model;
		await s.list({ Action: 'QueueStatus', Queue: 'sales' });
		m.inboundCall({ queue: 'sales', callerNum: '5550101', callerName: 'Alice Customer', talkMs: 3000 });
		await s.advance(8000);
		await s.act({
			Action: 'QueueAdd',
			Queue: 'sales',
			Interface: 'PJSIP/1003',
			Penalty: 1,
			MemberName: 'Agent Three',
			StateInterface: 'PJSIP/1003',
			Paused: 'false'
		});
		await s.act({
			Action: 'QueuePause',
			Interface: 'PJSIP/1001',
			Queue: 'sales',
			Paused: 'true',
			Reason: 'lunch'
		});
		await s.act({ Action: 'QueuePause', Interface: 'PJSIP/1002', Paused: 'true', Reason: 'training' });
		await s.act({
			Action: 'QueuePause',
			Interface: 'PJSIP/1003',
			Queue: 'sales',
			Paused: 'true',
			Reason: 'break'
		});
		await s.act({ Action: 'QueuePenalty', Interface: 'PJSIP/1002', Penalty: 2, Queue: 'sales' });
		await s.list({ Action: 'QueueStatus', Queue: 'sales' });
		m.inboundCall({ queue: 'sales', callerNum: '5550103', callerName: 'Carol Customer', patienceMs: 5000 });
		await s.advance(6000);
		await s.act({ Action: 'QueuePause', Interface: 'PJSIP/1003', Queue: 'sales', Paused: 'false' });
		m.inboundCall({ queue: 'sales', callerNum: '5550105', callerName: 'Erin Customer', talkMs: 2000 });
		await s.advance(6000);
		await s.act({ Action: 'QueuePause', Interface: 'PJSIP/1001', Paused: 'false' });
		await s.act({ Action: 'QueuePause', Interface: 'PJSIP/1002', Paused: 'false' });
		await s.act({ Action: 'QueueRemove', Queue: 'sales', Interface: 'PJSIP/1003' });
		const notThere = await s.act({ Action: 'QueueRemove', Queue: 'sales', Interface: 'PJSIP/1009' });
		expect(first(notThere, 'Message')).toBe('Unable to remove interface: Not there');
		const noQueue = await s.act({ Action: 'QueueAdd', Queue: 'nosuchqueue', Interface: 'PJSIP/1001' });
		expect(first(noQueue, 'Message')).toBe('Unable to add interface to queue: No such queue');
		// ring no answer (d2)
		m.setAnswerMode('PJSIP/1003', 'never');
		m.inboundCall({
			queue: 'support',
			callerNum: '5550106',
			callerName: 'Grace Customer',
			patienceMs: 20_000
		});
		await s.advance(21_000);
		await s.list({ Action: 'QueueStatus', Queue: 'sales' });
		await s.list({ Action: 'QueueSummary' });
		const bytes = await s.finish();
		compare(rec, s, bytes, 'd_queue_inbound', [
			'QueueCallerJoin',
			'QueueCallerLeave',
			'QueueCallerAbandon',
			'AgentCalled',
			'AgentConnect',
			'AgentComplete',
			'QueueMemberStatus',
			'QueueMemberPause',
			'QueueMemberAdded',
			'QueueMemberRemoved',
			'QueueMemberPenalty',
			'QueueParams',
			'QueueMember'
		]);
		expect(s.c.events('AgentRingNoAnswer').length).toBeGreaterThan(0);
		expect(rec.events.get('AgentRingNoAnswer')?.has(keysOf(s.c.events('AgentRingNoAnswer')[0] ?? {}))).toBe(
			true
		);
	});

	it('e: supervisor spy (listen, whisper, barge, by uniqueid, DTMF switch, end with the spied call)', async () => {
		const s = await session();
		await s.act({
			Action: 'Originate',
			Channel: 'PJSIP/1001',
			Context: 'outbound',
			Exten: '5551234',
			Priority: 1,
			CallerID: '"Agent1" <1001>',
			Async: 'true'
		});
		await s.advance(4000);
		const agentLeg = first(await s.c.waitEvent('BridgeEnter', {}, {}), 'Channel');
		const agentChannel = s.sim.model.channels().find((c) => c.name.startsWith('PJSIP/1001-'));
		expect(agentChannel).toBeDefined();
		expect(agentLeg).toBeDefined();
		const spy = async (data: string): Promise<string> => {
			const from = s.c.mark();
			await s.act({
				Action: 'Originate',
				Channel: 'PJSIP/2001',
				Application: 'ChanSpy',
				Data: data,
				CallerID: '"Supervisor" <2001>',
				Async: 'true'
			});
			await s.advance(1500);
			const start = await s.c.waitEvent('ChanSpyStart', {}, { from });
			return first(start, 'SpyerChannel') ?? '';
		};
		for (const opts of ['qE', 'qwE', 'qBE']) {
			const spyer = await spy(`PJSIP/1001,${opts}`);
			await s.act({ Action: 'Hangup', Channel: spyer });
			await s.advance(100);
		}
		const byId = await spy(`${agentChannel?.uniqueid ?? ''},uqE`);
		await s.act({ Action: 'Hangup', Channel: byId });
		const dtmfSpyer = await spy('PJSIP/1001,qdE');
		for (const d of ['5', '6', '4'])
			await s.act({ Action: 'PlayDTMF', Channel: dtmfSpyer, Digit: d, Duration: 250, Receive: 'true' });
		await s.act({ Action: 'Hangup', Channel: agentChannel?.name ?? '' });
		await s.advance(100);
		await s.list({ Action: 'CoreShowChannels' });
		const bytes = await s.finish();
		expect(s.c.events('ChanSpyStart').length).toBe(5);
		expect(s.c.events('ChanSpyStop').length).toBe(5);
		compare(rec, s, bytes, 'e_supervisor_spy', [
			'ChanSpyStart',
			'ChanSpyStop',
			'DTMFEnd',
			'OriginateResponse'
		]);
	});

	it('f: MixMonitor, MixMonitorMute, StopMixMonitor', async () => {
		const s = await session();
		await s.act({
			Action: 'Originate',
			Channel: 'PJSIP/1001',
			Context: 'outbound',
			Exten: '5551234',
			Priority: 1,
			CallerID: '"Agent1" <1001>',
			Async: 'true',
			Variable: 'SB_REC=first.wav'
		});
		await s.advance(4000);
		const agent = s.sim.model.channels().find((c) => c.name.startsWith('PJSIP/1001-'))?.name ?? '';
		await s.act({
			Action: 'MixMonitor',
			Channel: agent,
			File: '/var/spool/asterisk/monitor/second.wav',
			Options: 'b'
		});
		await s.act({ Action: 'MixMonitorMute', Channel: agent, Direction: 'both', State: 1 });
		await s.act({ Action: 'MixMonitorMute', Channel: agent, Direction: 'both', State: 0 });
		await s.act({ Action: 'StopMixMonitor', Channel: agent });
		await s.act({ Action: 'Hangup', Channel: agent });
		await s.advance(100);
		const bytes = await s.finish();
		compare(rec, s, bytes, 'f_mixmonitor', ['MixMonitorStart', 'MixMonitorMute', 'MixMonitorStop']);
	});

	it('g/g3: errors, security events, Getvar, MD5 challenge login, Events, Ping', async () => {
		const s = await session();
		await s.act({ Action: 'Ping' });
		await s.act({ Action: 'NoSuchAction' });
		s.c.sendRaw('Foo: bar\r\nActionID: no-action-header\r\n\r\n');
		await s.c.waitFor((m) => first(m, 'ActionID') === 'no-action-header');
		await s.act({ Action: 'Originate', Context: 'outbound', Exten: '5551234', Priority: 1 });
		await s.act({ Action: 'Hangup', Channel: 'PJSIP/nosuch-deadbeef' });
		await s.act({ Action: 'QueuePause', Interface: 'PJSIP/1009', Paused: 'true' });
		await s.act({ Action: 'Getvar', Channel: 'PJSIP/nosuch-00000000', Variable: 'FOO' });
		await s.act({ Action: 'Setvar', Variable: 'RING_agent1', Value: '1' });
		const gv = await s.act({ Action: 'Getvar', Variable: 'RING_agent1' });
		expect(first(gv, 'Value')).toBe('1');

		// a second connection: action before login, bad login (both broadcast as security events)
		const bad = await AmiTestClient.connect(s.sim.port);
		await bad.action({ Action: 'CoreShowChannels', ActionID: 'g2-15' });
		await bad.action({ Action: 'Login', ActionID: 'badlogin-1', Username: 'cockpit', Secret: 'wrong' });
		await bad.closed;
		await s.c.waitEvent('InvalidPassword');

		// a third: MD5 challenge login with Events: off, then Events call,agent, Ping
		const md5 = await AmiTestClient.connect(s.sim.port);
		const ch = await md5.action({ Action: 'Challenge', ActionID: 'g3-16', AuthType: 'MD5' });
		const { createHash } = await import('node:crypto');
		const key = createHash('md5')
			.update((first(ch, 'Challenge') ?? '') + 'cockpit')
			.digest('hex');
		const ok = await md5.action({
			Action: 'Login',
			ActionID: 'g3-17',
			AuthType: 'MD5',
			Username: 'cockpit',
			Key: key,
			Events: 'off'
		});
		expect(first(ok, 'Message')).toBe('Authentication accepted');
		const evs = await md5.action({ Action: 'Events', ActionID: 'g3-18', EventMask: 'call,agent' });
		expect(first(evs, 'Events')).toBe('On');
		await md5.action({ Action: 'Ping', ActionID: 'g3-19' });
		await md5.action({ Action: 'Logoff', ActionID: 'g3-20' });
		await md5.closed;
		checkFraming(bad.bytes());
		checkFraming(md5.bytes());
		// the recorded g3 session: no event at all after a login with Events: off
		expect(md5.events().length).toBe(0);
		for (const [client, ids] of [
			[bad, { 'g2-15': 'coreshowchannels', 'badlogin-1': 'login' }],
			[md5, { 'g3-16': 'challenge', 'g3-17': 'login', 'g3-18': 'events', 'g3-19': 'ping', 'g3-20': 'logoff' }]
		] as const) {
			for (const m of client.messages) {
				const act = (ids as Record<string, string>)[first(m, 'ActionID') ?? ''];
				if (act === undefined) continue;
				expect(rec.responses.get(act)?.has(keysOf(m)), `response to ${act}: ${keysOf(m)}`).toBe(true);
			}
		}
		const bytes = await s.finish();
		compare(rec, s, bytes, 'g_burst_errors_logoff', [
			'RequestBadFormat',
			'RequestNotAllowed',
			'InvalidPassword',
			'SuccessfulAuth'
		]);
	});
});
