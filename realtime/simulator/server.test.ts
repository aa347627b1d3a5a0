import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { first } from '../ami/parser';
import type { AmiMessage } from '../ami/parser';
import { FakeClock } from './clock';
import { AMI_BANNER, splitPieces, startSimulator } from './server';
import type { SimulatorHandle, SimulatorOptions } from './server';
import { AmiTestClient } from './test-client';

const AGENTS = [
	{ endpoint: 'PJSIP/1001', name: 'Alice Agent', extension: '1001' },
	{ endpoint: 'PJSIP/1002', name: 'Bob Agent', extension: '1002' }
];

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
	for (const x of open.splice(0).reverse()) await x.close();
});

async function start(
	opts: Partial<SimulatorOptions> = {}
): Promise<{ sim: SimulatorHandle; clock: FakeClock }> {
	const clock = new FakeClock();
	const sim = await startSimulator({
		agents: AGENTS,
		username: 'admin',
		secret: 's3cret',
		clock,
		seed: 9,
		...opts
	});
	open.push(sim);
	return { sim, clock };
}

async function client(sim: SimulatorHandle, login = true, events = 'on'): Promise<AmiTestClient> {
	const c = await AmiTestClient.connect(sim.port);
	open.push(c);
	if (login) expect(first(await c.login('admin', 's3cret', events), 'Response')).toBe('Success');
	return c;
}

/** Advance the fake clock, then a Ping round trip so everything written has arrived. */
async function advance(clock: FakeClock, c: AmiTestClient, ms: number): Promise<void> {
	clock.advance(ms);
	await c.action({ Action: 'Ping' });
}

const keys = (m: AmiMessage | undefined): string[] => (m === undefined ? [] : Object.keys(m));

describe('session basics over TCP', () => {
	it('banner, login (FullyBooted + SuccessfulAuth), Ping, Logoff closes', async () => {
		const { sim } = await start();
		const c = await client(sim, false);
		const login = await c.login('admin', 's3cret');
		expect(c.bytes().subarray(0, AMI_BANNER.length).toString('latin1')).toBe(
			'Asterisk Call Manager/11.0.0\r\n'
		);
		expect(c.bytes().toString('latin1', AMI_BANNER.length).startsWith('Response: Success\r\n')).toBe(true);
		expect({ ...login }).toEqual({
			Response: 'Success',
			ActionID: expect.any(String),
			Message: 'Authentication accepted'
		});
		await c.waitEvent('FullyBooted');
		const auth = await c.waitEvent('SuccessfulAuth');
		expect([
			first(auth, 'AccountID'),
			first(auth, 'Service'),
			first(auth, 'RemoteAddress')?.startsWith('IPV4/TCP/127.0.0.1/')
		]).toEqual(['admin', 'AMI', true]);
		const pong = await c.action({ Action: 'Ping', ActionID: 'p-1' });
		expect(keys(pong)).toEqual(['Response', 'ActionID', 'Ping', 'Timestamp']);
		expect(first(pong, 'ActionID')).toBe('p-1');
		expect(first(pong, 'Timestamp')).toMatch(/^\d{10}\.\d{6}$/);
		const bye = await c.action({ Action: 'Logoff' });
		expect([first(bye, 'Response'), first(bye, 'Message')]).toEqual(['Goodbye', 'Thanks for all the fish.']);
		await c.closed;
		expect(c.socket.destroyed || c.socket.readableEnded).toBe(true);
	});

	it('wrong secret → Authentication failed, socket closed; other sessions see InvalidPassword', async () => {
		const { sim } = await start();
		const watcher = await client(sim);
		const c = await client(sim, false);
		const r = await c.action({ Action: 'Login', Username: 'admin', Secret: 'nope' });
		expect([first(r, 'Response'), first(r, 'Message')]).toEqual(['Error', 'Authentication failed']);
		await c.closed;
		const ev = await watcher.waitEvent('InvalidPassword');
		expect(first(ev, 'AccountID')).toBe('admin');
	});

	it('actions before login → Permission denied (and the socket stays open)', async () => {
		const { sim } = await start();
		const c = await client(sim, false);
		const r = await c.action({ Action: 'CoreShowChannels' });
		expect({ ...r }).toEqual({
			Response: 'Error',
			ActionID: expect.any(String),
			Message: 'Permission denied'
		});
		const ok = await c.login('admin', 's3cret');
		expect(first(ok, 'Response')).toBe('Success');
	});

	it('unknown action, missing Action header, case-insensitive headers, ActionID echoed', async () => {
		const { sim } = await start();
		const c = await client(sim);
		const r = await c.action({ Action: 'NoSuchThing', ActionID: 'x-1' });
		expect({ ...r }).toEqual({
			Response: 'Error',
			ActionID: 'x-1',
			Message: 'Invalid/unknown command: NoSuchThing. Use Action: ListCommands to show available commands.'
		});
		c.sendRaw('Foo: bar\r\nActionID: x-2\r\n\r\n');
		const m = await c.waitFor((x) => first(x, 'ActionID') === 'x-2');
		expect(first(m, 'Message')).toBe('Missing action in request');
		c.sendRaw('action: ping\r\nactionid: x-3\r\n\r\n');
		const p = await c.waitFor((x) => first(x, 'ActionID') === 'x-3');
		expect(first(p, 'Ping')).toBe('Pong');
		const cs = await c.action({ Action: 'CoreSettings' });
		expect([first(cs, 'AMIversion'), first(cs, 'AsteriskVersion')]).toEqual(['11.0.0', '22.10.1']);
		const cmd = await c.action({ Action: 'Command', Command: 'core show version' });
		expect(first(cmd, 'Message')).toBe('Command output follows');
		expect(first(cmd, 'Output')).toMatch(/^Asterisk 22\.10\.1 /);
	});

	it('Events mask at login and with Action: Events (classes from Privilege)', async () => {
		const { sim, clock } = await start();
		const off = await client(sim, true, 'off');
		const callOnly = await client(sim, true, 'call,agent');
		const all = await client(sim);
		sim.model.originate({ channel: 'PJSIP/1001', context: 'outbound', exten: '0612345678' });
		await advance(clock, all, 5000);
		await advance(clock, off, 0);
		await advance(clock, callOnly, 0);
		expect(off.events().length).toBe(0);
		expect(callOnly.events('Newchannel').length).toBe(2);
		expect(callOnly.events('VarSet').length).toBe(0); // dialplan class
		expect(all.events('VarSet').length).toBeGreaterThan(0);
		const r = await off.action({ Action: 'Events', EventMask: 'call' });
		expect(first(r, 'Events')).toBe('On');
		const mark = off.mark();
		sim.model.originate({ channel: 'PJSIP/1002', context: 'outbound', exten: '0612345678' });
		await advance(clock, off, 100);
		expect(off.events('Newchannel', mark).length).toBe(1);
		const r2 = await off.action({ Action: 'Events', EventMask: 'off' });
		expect(first(r2, 'Events')).toBe('Off');
	});

	it('refuses to listen anywhere but loopback', async () => {
		await expect(
			startSimulator({ host: '0.0.0.0', agents: AGENTS, username: 'a', secret: 'b' })
		).rejects.toThrow(/loopback/);
	});

	it('responses are written in pieces like Asterisk (Response+ActionID | rest | lone CRLF after Output)', () => {
		expect(
			splitPieces('Response: Success\r\nActionID: 1\r\nPing: Pong\r\nTimestamp: 1.000000\r\n\r\n')
		).toEqual(['Response: Success\r\nActionID: 1\r\n', 'Ping: Pong\r\nTimestamp: 1.000000\r\n\r\n']);
		expect(
			splitPieces('Response: Success\r\nActionID: 1\r\nMessage: Command output follows\r\nOutput: x\r\n\r\n')
		).toEqual([
			'Response: Success\r\nActionID: 1\r\n',
			'Message: Command output follows\r\nOutput: x\r\n',
			'\r\n'
		]);
		expect(splitPieces('Response: Error\r\nMessage: x\r\n\r\n')).toEqual([
			'Response: Error\r\nMessage: x\r\n\r\n'
		]);
	});
});

describe('event lists', () => {
	async function liveFloor(): Promise<{ sim: SimulatorHandle; clock: FakeClock; c: AmiTestClient }> {
		const { sim, clock } = await start();
		const c = await client(sim);
		sim.model.originate({ channel: 'PJSIP/1001', context: 'outbound', exten: '0612345678' });
		sim.model.queuePause({ iface: 'PJSIP/1001', paused: true, reason: 'x' });
		sim.model.queuePause({ iface: 'PJSIP/1002', paused: true, reason: 'y' });
		sim.model.inboundCall({ queue: 'sales', callerNum: '0600000001', callerName: 'Waiting Caller' });
		await advance(clock, c, 4000);
		return { sim, clock, c };
	}

	it('CoreShowChannels: start response, items with ActionID, Complete with ListItems', async () => {
		const { c } = await liveFloor();
		const { response, items, complete } = await c.list({ Action: 'CoreShowChannels', ActionID: 'l-1' });
		expect({ ...response }).toEqual({
			Response: 'Success',
			ActionID: 'l-1',
			EventList: 'start',
			Message: 'Channels will follow'
		});
		expect(items.length).toBe(3);
		for (const it of items) {
			expect(keys(it).slice(0, 3)).toEqual(['Event', 'ActionID', 'Channel']);
			expect(keys(it).slice(-4)).toEqual(['Application', 'ApplicationData', 'Duration', 'BridgeId']);
			expect(first(it, 'Duration')).toMatch(/^\d\d:\d\d:\d\d$/);
		}
		expect(items.map((i) => first(i, 'Channel')?.replace(/-[0-9a-f]{8}$/, ''))).toEqual([
			'PJSIP/trunk',
			'PJSIP/trunk',
			'PJSIP/1001'
		]);
		expect({ ...complete }).toEqual({
			Event: 'CoreShowChannelsComplete',
			ActionID: 'l-1',
			EventList: 'Complete',
			ListItems: '3'
		});
	});

	it('Status: Privilege Call, BridgeID, Seconds; StatusComplete has Items', async () => {
		const { c } = await liveFloor();
		const { response, items, complete } = await c.list({ Action: 'Status', ActionID: 'l-2' });
		expect(first(response, 'Message')).toBe('Channel status will follow');
		expect(items.length).toBe(3);
		for (const it of items) {
			expect([first(it, 'Event'), first(it, 'Privilege')]).toEqual(['Status', 'Call']);
			expect(keys(it).at(-1)).toBe('ActionID');
			expect(keys(it)).toContain('BridgeID');
		}
		expect({ ...complete }).toEqual({
			Event: 'StatusComplete',
			ActionID: 'l-2',
			EventList: 'Complete',
			ListItems: '3',
			Items: '3'
		});
		const one = await c.list({ Action: 'Status', Channel: first(items[0] ?? {}, 'Channel') ?? '' });
		expect(one.items.length).toBe(1);
		const none = await c.action({ Action: 'Status', Channel: 'PJSIP/nope-00000000' });
		expect(first(none, 'Message')).toBe('No such channel');
	});

	it('QueueStatus: QueueParams, QueueMember (Name/Location), QueueEntry; filters by Queue and Member', async () => {
		const { c } = await liveFloor();
		const { response, items, complete } = await c.list({ Action: 'QueueStatus', ActionID: 'l-3' });
		expect(first(response, 'Message')).toBe('Queue status will follow');
		expect(items.map((i) => `${first(i, 'Event')}:${first(i, 'Queue')}`)).toEqual([
			'QueueParams:sales',
			'QueueMember:sales',
			'QueueMember:sales',
			'QueueEntry:sales',
			'QueueParams:support',
			'QueueMember:support'
		]);
		const member = items[1];
		expect([
			first(member ?? {}, 'Name'),
			first(member ?? {}, 'Location'),
			first(member ?? {}, 'Paused'),
			first(member ?? {}, 'PausedReason')
		]).toEqual(['Alice Agent', 'PJSIP/1001', '1', 'x']);
		expect(first(items[3] ?? {}, 'CallerIDName')).toBe('Waiting Caller');
		expect({ ...complete }).toEqual({
			Event: 'QueueStatusComplete',
			ActionID: 'l-3',
			EventList: 'Complete',
			ListItems: '6'
		});
		const filtered = await c.list({ Action: 'QueueStatus', Queue: 'sales', Member: 'PJSIP/1002' });
		expect(filtered.items.map((i) => first(i, 'Event'))).toEqual(['QueueParams', 'QueueMember']);
		const summary = await c.list({ Action: 'QueueSummary', Queue: 'sales' });
		expect(
			summary.items.map((i) => [
				first(i, 'Queue'),
				first(i, 'LoggedIn'),
				first(i, 'Available'),
				first(i, 'Callers')
			])
		).toEqual([['sales', '2', '0', '1']]);
	});

	it('Hangup with /regex/ returns a ChannelHungup list, then the hangup events', async () => {
		const { c, clock } = await liveFloor();
		const mark = c.mark();
		const { items, complete } = await c.list({ Action: 'Hangup', Channel: '/^PJSIP\\/trunk-/' });
		expect(items.map((i) => keys(i))).toEqual([
			['Event', 'Channel', 'ActionID'],
			['Event', 'Channel', 'ActionID']
		]);
		expect(first(complete, 'Event')).toBe('ChannelsHungupListComplete');
		await advance(clock, c, 100);
		const after = c.messages.slice(mark);
		expect(after.findIndex((m) => first(m, 'Event') === 'Hangup')).toBeGreaterThan(after.indexOf(complete));
	});
});

describe('calls over TCP', () => {
	it('click-to-call: Originate (Async, repeated Variable) → OriginateResponse Success 4 and VarSet of our variables', async () => {
		const { sim, clock } = await start();
		const c = await client(sim);
		const r = await c.action({
			Action: 'Originate',
			ActionID: 'c2c-1',
			Channel: 'PJSIP/1001',
			Context: 'outbound',
			Exten: '0612345678',
			Priority: 1,
			CallerID: '"Alice Agent" <1001>',
			Async: 'true',
			Variable: ['SB_CALL=8c1f,SB_LEAD=17', 'SB_PROJECT=3']
		});
		expect(first(r, 'Message')).toBe('Originate successfully queued');
		await advance(clock, c, 3000);
		const resp = await c.waitEvent('OriginateResponse');
		expect([
			first(resp, 'ActionID'),
			first(resp, 'Response'),
			first(resp, 'Reason'),
			first(resp, 'Context'),
			first(resp, 'Exten')
		]).toEqual(['c2c-1', 'Success', '4', 'outbound', '0612345678']);
		const agentLeg = first(resp, 'Channel') ?? '';
		const vars = c
			.events('VarSet')
			.filter((m) => first(m, 'Channel') === agentLeg && first(m, 'Variable')?.startsWith('SB_') === true);
		expect(vars.map((m) => `${first(m, 'Variable')}=${first(m, 'Value')}`)).toEqual([
			'SB_CALL=8c1f',
			'SB_LEAD=17',
			'SB_PROJECT=3'
		]);
		await c.waitEvent('BridgeEnter', { Channel: agentLeg });
		const h = await c.action({ Action: 'Hangup', Channel: agentLeg });
		expect(first(h, 'Message')).toBe('Channel Hungup');
		const hang = await c.waitEvent('Hangup', { Channel: agentLeg });
		expect(first(hang, 'Cause')).toBe('16');
		const missing = await c.action({ Action: 'Hangup', Channel: agentLeg });
		expect(first(missing, 'Message')).toBe('No such channel');
	});

	it('failures end with the expected DialEnd and the agent leg hangs up', async () => {
		const { sim, clock } = await start();
		const c = await client(sim);
		const statuses: string[] = [];
		for (const n of ['0612340486', '0612340487', '0612340488', '0612340489']) {
			const mark = c.mark();
			await c.action({
				Action: 'Originate',
				Channel: 'PJSIP/1001',
				Context: 'outbound',
				Exten: n,
				Priority: 1,
				Async: 'yes'
			});
			await advance(clock, c, 10_000);
			const ends = c
				.events('DialEnd', mark)
				.filter((m) => first(m, 'DestChannel')?.startsWith('PJSIP/trunk-') === true);
			statuses.push(ends.map((m) => first(m, 'DialStatus')).join(','));
			expect(sim.model.channels()).toEqual([]);
		}
		expect(statuses).toEqual(['BUSY', 'NOANSWER', 'CONGESTION', 'NOANSWER']);
	});

	it('synchronous Originate: the response comes when the leg answers, and the session gets its events only after it', async () => {
		const { sim, clock } = await start();
		const c = await client(sim);
		const mark = c.mark();
		c.send({
			Action: 'Originate',
			ActionID: 'sync-1',
			Channel: 'PJSIP/1001',
			Context: 'outbound',
			Exten: '0612345678',
			Priority: 1
		});
		// a Ping sent meanwhile waits too (the session is busy in the Originate)
		c.send({ Action: 'Ping', ActionID: 'sync-ping' });
		const other = await client(sim);
		await advance(clock, other, 500); // the leg rings; our session is blocked
		expect(c.messages.slice(mark).length).toBe(0);
		clock.advance(600);
		const r = await c.waitFor((m) => first(m, 'ActionID') === 'sync-1');
		expect(first(r, 'Message')).toBe('Originate successfully queued');
		await c.waitFor((m) => first(m, 'ActionID') === 'sync-ping');
		const after = c.messages.slice(mark);
		expect(first(after[0] ?? {}, 'ActionID')).toBe('sync-1');
		expect(after.some((m) => first(m, 'Event') === 'Newchannel')).toBe(true);
		expect(c.events('OriginateResponse', mark).length).toBe(0);
	});
});

describe('spy over TCP', () => {
	it('ChanSpy originate → ChanSpyStart (Spyer*/Spyee*), PlayDTMF Receive switches mode, Hangup of the spyer → ChanSpyStop', async () => {
		const { sim, clock } = await start();
		const c = await client(sim);
		await c.action({
			Action: 'Originate',
			Channel: 'PJSIP/1001',
			Context: 'outbound',
			Exten: '0612345678',
			Priority: 1,
			Async: 'true'
		});
		await advance(clock, c, 3000);
		const r = await c.action({
			Action: 'Originate',
			ActionID: 'spy-1',
			Channel: 'Local/0699999999@outbound',
			Application: 'ChanSpy',
			Data: 'PJSIP/1001,qdE',
			CallerID: '"Sup" <2001>',
			Async: 'true'
		});
		expect(first(r, 'Response')).toBe('Success');
		await advance(clock, c, 1500);
		const resp = await c.waitEvent('OriginateResponse', { ActionID: 'spy-1' });
		expect(keys(resp)).toEqual([
			'Event',
			'Privilege',
			'ActionID',
			'Response',
			'Channel',
			'Application',
			'Data',
			'Reason',
			'Uniqueid',
			'CallerIDNum',
			'CallerIDName'
		]);
		const start1 = await c.waitEvent('ChanSpyStart');
		const spyer = first(start1, 'SpyerChannel') ?? '';
		expect(spyer).toMatch(/^Local\/0699999999@outbound-[0-9a-f]{8};1$/);
		expect(first(start1, 'SpyeeChannel')).toMatch(/^PJSIP\/1001-/);
		expect(keys(start1).filter((k) => k.startsWith('Spyee')).length).toBe(14);
		for (const [digit, mode] of [
			['5', 'whisper'],
			['6', 'barge'],
			['4', 'listen']
		] as const) {
			const d = await c.action({
				Action: 'PlayDTMF',
				Channel: spyer,
				Digit: digit,
				Duration: 250,
				Receive: 'true'
			});
			expect(first(d, 'Message')).toBe('DTMF successfully queued');
			const ev = await c.waitEvent('DTMFEnd', { Digit: digit });
			expect(first(ev, 'Direction')).toBe('Received');
			expect(sim.model.spyMode(spyer)).toBe(mode);
		}
		await c.action({ Action: 'Hangup', Channel: spyer });
		const stop = await c.waitEvent('ChanSpyStop');
		expect(first(stop, 'SpyerChannel')).toBe(spyer);
	});
});

describe('queues over TCP', () => {
	it('QueuePause → QueueMemberPause with PausedReason (all queues / one queue), unpause clears the reason', async () => {
		const { sim } = await start({
			queues: [{ name: 'sales' }, { name: 'support', members: ['PJSIP/1001'] }]
		});
		const c = await client(sim);
		const mark = c.mark();
		const r = await c.action({
			Action: 'QueuePause',
			Interface: 'PJSIP/1001',
			Paused: 'true',
			Reason: 'lunch'
		});
		expect(first(r, 'Message')).toBe('Interface paused successfully');
		await c.waitEvent('QueueMemberPause', { Queue: 'support' }, { from: mark });
		const ev = c.events('QueueMemberPause', mark);
		expect(
			ev.map(
				(m) =>
					`${first(m, 'Queue')}:${first(m, 'MemberName')}:${first(m, 'Interface')}:${first(m, 'Paused')}:${first(m, 'PausedReason')}`
			)
		).toEqual(['sales:Alice Agent:PJSIP/1001:1:lunch', 'support:Alice Agent:PJSIP/1001:1:lunch']);
		// the response precedes the events it causes
		expect(c.messages.indexOf(r)).toBeLessThan(c.messages.indexOf(ev[0] ?? {}));
		const mark2 = c.mark();
		const u = await c.action({
			Action: 'QueuePause',
			Interface: 'PJSIP/1001',
			Queue: 'sales',
			Paused: 'false'
		});
		expect(first(u, 'Message')).toBe('Interface unpaused successfully');
		const ue = await c.waitEvent('QueueMemberPause', {}, { from: mark2 });
		expect([first(ue, 'Queue'), first(ue, 'Paused'), first(ue, 'PausedReason')]).toEqual(['sales', '0', '']);
		const nf = await c.action({ Action: 'QueuePause', Interface: 'PJSIP/1999', Paused: 'true' });
		expect([first(nf, 'Response'), first(nf, 'Message')]).toEqual(['Error', 'Interface not found']);
		const add = await c.action({
			Action: 'QueueAdd',
			Queue: 'support',
			Interface: 'PJSIP/1002',
			MemberName: 'Bob Agent',
			Penalty: 1
		});
		expect(first(add, 'Message')).toBe('Added interface to queue');
		const rm = await c.action({ Action: 'QueueRemove', Queue: 'support', Interface: 'PJSIP/1002' });
		expect(first(rm, 'Message')).toBe('Removed interface from queue');
	});
});

describe('recordings', () => {
	it('MixMonitor writes a valid 8 kHz mono PCM WAV at File under recordingsDir; SB_REC records answered calls', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'sim-rec-'));
		open.push({ close: () => rm(dir, { recursive: true, force: true }) });
		const { sim, clock } = await start({ recordingsDir: dir });
		const c = await client(sim);
		await c.action({
			Action: 'Originate',
			Channel: 'PJSIP/1001',
			Context: 'outbound',
			Exten: '0612345678',
			Priority: 1,
			Async: 'true',
			Variable: 'SB_REC=2026/11/call-1.wav'
		});
		await advance(clock, c, 3000);
		await c.waitEvent('MixMonitorStart');
		const agent = sim.model.channels().find((ch) => ch.name.startsWith('PJSIP/1001-'))?.name ?? '';
		const r = await c.action({
			Action: 'MixMonitor',
			Channel: agent,
			File: '/var/spool/asterisk/monitor/../../x/ami.wav',
			Options: 'b'
		});
		expect(keys(r)).toEqual(['Response', 'ActionID']);
		const written = await sim.flushRecordings();
		expect(written.map((p) => path.relative(dir, p)).sort()).toEqual(
			[path.join('2026', '11', 'call-1.wav'), path.join('var', 'spool', 'x', 'ami.wav')].sort()
		);
		for (const p of written) {
			const wav = await readFile(p);
			expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
			expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
			expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
			expect([
				wav.readUInt16LE(20),
				wav.readUInt16LE(22),
				wav.readUInt32LE(24),
				wav.readUInt16LE(34)
			]).toEqual([1, 1, 8000, 16]);
			expect(wav.toString('ascii', 36, 40)).toBe('data');
			expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
			expect(wav.length - 44).toBeGreaterThanOrEqual(8000 * 2);
		}
	});
});

describe('fault hooks, observed from a plain TCP client', () => {
	it('drop(): every client socket is closed', async () => {
		const { sim } = await start();
		const a = await client(sim);
		const b = await client(sim, false);
		sim.faults.drop();
		await Promise.all([a.closed, b.closed]);
		expect([a.socket.destroyed, b.socket.destroyed]).toEqual([true, true]);
		const again = await client(sim);
		expect(first(await again.action({ Action: 'Ping' }), 'Ping')).toBe('Pong');
	});

	it('stall(ms): no answer while stalled, the socket stays open, then the answer comes', async () => {
		const { sim } = await start();
		const c = await client(sim);
		const order: string[] = [];
		const resumed = sim.faults.stall(300).then(() => order.push('resumed'));
		const pong = c.action({ Action: 'Ping', ActionID: 'during-stall' }).then(() => order.push('pong'));
		await Promise.all([resumed, pong]);
		expect(order).toEqual(['resumed', 'pong']);
		expect(c.socket.destroyed).toBe(false);
	});

	it('halfOpen(): never answers and never closes; new connections work', async () => {
		const { sim } = await start();
		const c = await client(sim);
		sim.faults.halfOpen();
		const before = c.bytes().length;
		c.send({ Action: 'Ping', ActionID: 'lost' });
		// a round trip on a fresh connection proves the server has run meanwhile
		const fresh = await client(sim);
		for (let i = 0; i < 3; i++) await fresh.action({ Action: 'Ping' });
		sim.model.originate({ channel: 'PJSIP/1001', context: 'outbound', exten: '0612345678' });
		await fresh.waitEvent('Newchannel');
		await fresh.action({ Action: 'Ping' });
		expect(c.bytes().length).toBe(before);
		expect(c.socket.destroyed).toBe(false);
		expect(sim.sessionCount()).toBe(2);
	});

	it('garbage(): random non-AMI bytes arrive on the socket', async () => {
		const { sim } = await start();
		const c = await client(sim);
		const before = c.bytes().length;
		sim.faults.garbage(300);
		for (let i = 0; i < 500 && c.bytes().length < before + 304; i++)
			await new Promise((r) => setTimeout(r, 10));
		const tail = c.bytes().subarray(before);
		expect(tail.length).toBe(304);
		expect(tail.subarray(-4).toString('latin1')).toBe('\r\n\r\n');
		expect(
			tail.toString('latin1').startsWith('Response:') || tail.toString('latin1').startsWith('Event:')
		).toBe(false);
	});
});
