/**
 * Differential tests: our AmiParser/AmiClient against the `asterisk-ami-client` package we replace
 * (v1.1.5 with asterisk-ami-events-stream / asterisk-ami-event-utils), on the same bytes.
 *
 * Where both agree, `projectLikePackage(ours)` equals the package's object. Where they differ the
 * package is wrong, and each such case has its own test below:
 *  1. repeated keys are lost: `Output:` of a Command and `ChanVariable:` keep only the LAST value
 *     (rawToObject's rowReducer assigns `obj[key] = value`);
 *  2. values (and keys) are trimmed: the indentation of command output is lost (`   Members: `
 *     becomes `Members:`);
 *  3. only `\r\n` frames a message: a peer that ends lines with a bare `\n` never produces a
 *     message (the package buffers forever);
 *  4. ActionIDs are `--spec_${Date.now()}`: two actions sent in the same millisecond share one
 *     ActionID, so the first response resolves BOTH promises and the second response is lost;
 *  5. keepAlive sends a Ping but never times out: a half-open link is never detected (the keepalive
 *     timer is only re-armed by a Pong, so after one lost Pong the client stops pinging at all);
 *  6. (performance, see tests/bench case `ami`) every message re-decodes the whole rest of the chunk
 *     (`_parse` runs `toString` + a regex on the remaining chunk before each message) and every
 *     partial message is re-scanned from its start on each new chunk: quadratic in chunk size.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AmiClient } from './client';
import { AmiParser, all, first, type AmiMessage } from './parser';
import {
	createPackageParser,
	FakeAmi,
	loadPackageClient,
	loadTranscripts,
	randomChunks,
	seededRandom,
	transcriptsDir,
	type PackageMessage
} from './testkit';

/** What the package would produce for one of our messages if it were right about framing. */
function projectLikePackage(m: AmiMessage): PackageMessage {
	const out: PackageMessage = {};
	for (const [k, v] of Object.entries(m)) {
		const last = typeof v === 'string' ? v : v[v.length - 1];
		out[k.trim()] = (last ?? '').trim();
	}
	return out;
}

function ours(chunks: Buffer[]): AmiMessage[] {
	const p = new AmiParser();
	return chunks.flatMap((c) => p.push(c));
}

function theirs(chunks: Buffer[]): PackageMessage[] {
	const p = createPackageParser();
	return chunks.flatMap((c) => p.push(c));
}

function hasRepeatedOrPadded(m: AmiMessage): boolean {
	return Object.values(m).some((v) => Array.isArray(v) || v !== v.trim());
}

const dir = transcriptsDir();
const transcripts = dir === null ? [] : loadTranscripts(dir);

describe.skipIf(dir === null)('differential: same transcript bytes through ours and the package', () => {
	for (const t of transcripts) {
		it(`${t.name}: same messages (modulo the package's lossy keys) for whole, real and random chunking`, () => {
			const expected = ours([t.rx]);
			const chunkings: [string, Buffer[]][] = [
				// the package is quadratic in chunk size: a 2.7 MB single chunk takes it minutes
				...(t.rx.length < 300_000 ? ([['whole', [t.rx]]] as [string, Buffer[]][]) : []),
				['recv() chunks', t.rxChunks],
				['random 1..4096', randomChunks(t.rx, seededRandom(11), 1, 4096)],
				['random 1..64K', randomChunks(t.rx, seededRandom(12), 1, 65536)]
			];
			if (t.rx.length < 300_000)
				chunkings.push(['random 1..16', randomChunks(t.rx, seededRandom(13), 1, 16)]);
			for (const [label, chunks] of chunkings) {
				const pkg = theirs(chunks);
				expect(pkg, label).toHaveLength(expected.length);
				expect(pkg, label).toEqual(expected.map(projectLikePackage));
			}
		});
	}

	it('the only messages where the package loses data are those with repeated or padded values', () => {
		let lossy = 0;
		for (const t of transcripts) {
			const a = ours(t.rxChunks);
			const b = theirs(t.rxChunks);
			a.forEach((m, i) => {
				const exact: PackageMessage = {};
				for (const [k, v] of Object.entries(m)) if (typeof v === 'string') exact[k] = v;
				if (JSON.stringify(b[i]) !== JSON.stringify(exact) || Object.values(m).some(Array.isArray)) {
					expect(hasRepeatedOrPadded(m), JSON.stringify(m)).toBe(true);
					lossy++;
				}
			});
		}
		expect(lossy).toBeGreaterThan(0); // Command output and channelvars events
	});

	it('package bug 1+2: Command output keeps only its last line, trimmed; ours keeps all, indented', () => {
		const t = transcripts.find((x) => x.rx.includes('Output:    Members: '));
		expect(t).toBeDefined();
		const rx = t?.rx ?? Buffer.alloc(0);
		const idx = ours([rx]).findIndex((m) => all(m, 'Output').includes('   Members: '));
		const mine = ours([rx])[idx] ?? {};
		const pkg = theirs(t?.rxChunks ?? [])[idx] ?? {};
		const lines = all(mine, 'Output');
		expect(lines.length).toBeGreaterThan(3);
		expect(lines).toContain('   Members: ');
		expect(pkg.Output).toBe(lines.at(-1)?.trim()); // a single string: every other line is gone
		expect(typeof pkg.Output).toBe('string');
		expect(Object.values(pkg)).not.toContain('   Members: ');
	});

	it('package bug 1: channelvars events keep only the last ChanVariable', () => {
		const t = transcripts.find((x) => x.name.includes('chanvars'));
		const mine = ours(t?.rxChunks ?? []);
		const pkg = theirs(t?.rxChunks ?? []);
		const i = mine.findIndex((m) => all(m, 'ChanVariable').length === 3);
		expect(i).toBeGreaterThan(-1);
		const vars = all(mine[i] ?? {}, 'ChanVariable');
		expect(vars.map((v) => v.split('=')[0]).sort()).toEqual(['CDR(userfield)', 'QUEUENAME', 'TALK']);
		expect(pkg[i]?.ChanVariable).toBe(vars[2]?.trim()); // the other two are gone
	});
});

describe('differential: generated streams with random chunking', () => {
	const key = fc
		.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,14}$/)
		.filter((k) => !/^(event|response|action)/i.test(k));
	const value = fc
		.string({ unit: 'grapheme', maxLength: 30 })
		// eslint-disable-next-line no-control-regex
		.map((s) => s.replace(/[\x00-\x1f\x7f\u0080-\u009f]/g, '.'));
	const body = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 10 });
	const message = fc.oneof(
		fc.tuple(fc.constant('Event'), fc.stringMatching(/^[A-Z][A-Za-z]{1,20}$/), body),
		fc.tuple(fc.constant('Response'), fc.constantFrom('Success', 'Error', 'Goodbye'), body)
	);

	it('both parse any stream the same way (unique keys, CRLF framing)', () => {
		fc.assert(
			fc.property(
				fc.array(message, { minLength: 1, maxLength: 20 }),
				fc.integer({ min: 1, max: 2 ** 31 }),
				fc.integer({ min: 1, max: 600 }),
				(msgs, seed, max) => {
					const login = 'Response: Success\r\nActionID: x-1\r\nMessage: Authentication accepted\r\n\r\n';
					const text =
						'Asterisk Call Manager/11.0.0\r\n' +
						login +
						msgs
							.map(
								([k, v, rest]) => `${k}: ${v}\r\n` + rest.map(([a, b]) => `${a}: ${b}\r\n`).join('') + '\r\n'
							)
							.join('');
					const buf = Buffer.from(text, 'utf8');
					const chunks = randomChunks(buf, seededRandom(seed), 1, max);
					const a = ours(chunks);
					expect(a).toHaveLength(msgs.length + 1);
					expect(theirs(chunks)).toEqual(a.map(projectLikePackage));
				}
			),
			{ numRuns: 300, seed: 424242 }
		);
	});

	it('package bug 3: bare \\n line ends never frame a message in the package; ours parses them', () => {
		const buf = Buffer.from(
			'Asterisk Call Manager/11.0.0\nResponse: Success\nActionID: 1\n\nEvent: Hangup\nCause: 16\n\n'
		);
		expect(theirs([buf])).toEqual([]);
		expect(ours([buf])).toEqual([
			{ Response: 'Success', ActionID: '1' },
			{ Event: 'Hangup', Cause: '16' }
		]);
	});
});

describe('differential: client behaviour', () => {
	let server: FakeAmi | null = null;
	afterEach(async () => {
		vi.useRealTimers();
		await server?.close();
		server = null;
	});

	it('package bug 4: two actions in the same millisecond share an ActionID and get the same response', async () => {
		server = new FakeAmi();
		await server.listen();
		server.handler = (a) => {
			if (first(a, 'Action') !== 'Getvar') return undefined;
			return {
				Response: 'Success',
				ActionID: first(a, 'ActionID'),
				Value: `value of ${first(a, 'Variable')}`
			};
		};
		const PackageClient = loadPackageClient();
		const pkg = new PackageClient({ reconnect: false, keepAlive: false });
		await pkg.connect('cockpit', 'pw', { host: '127.0.0.1', port: server.port });
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2026-11-25T12:00:00Z')); // "the same millisecond", made deterministic
		const [a, b] = await Promise.all([
			pkg.action({ Action: 'Getvar', Variable: 'A' }, true),
			pkg.action({ Action: 'Getvar', Variable: 'B' }, true)
		]);
		vi.useRealTimers();
		const sent = server.actionsNamed('Getvar').map((x) => first(x, 'ActionID'));
		expect(sent[0]).toBe(sent[1]); // collision on the wire
		expect(a?.Value).toBe('value of A');
		expect(b?.Value).toBe('value of A'); // B's promise got A's response; B's answer was dropped
		pkg.disconnect();

		// ours, same server, same frozen clock: distinct counter ids, each gets its own answer
		const client = new AmiClient({
			name: 'ours',
			host: '127.0.0.1',
			port: server.port,
			username: 'cockpit',
			secret: 'pw'
		});
		const ready = new Promise<void>((resolve) => client.once('ready', resolve));
		client.start();
		await ready;
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
		const [x, y] = await Promise.all([
			client.action({ Action: 'Getvar', Variable: 'A' }),
			client.action({ Action: 'Getvar', Variable: 'B' })
		]);
		vi.useRealTimers();
		expect(first(x, 'Value')).toBe('value of A');
		expect(first(y, 'Value')).toBe('value of B');
		expect(first(x, 'ActionID')).not.toBe(first(y, 'ActionID'));
		await client.close();
	});

	it('package bug 5: keepAlive never detects a half-open link; ours disconnects and reconnects', async () => {
		server = new FakeAmi();
		await server.listen();
		const fake = server;
		const PackageClient = loadPackageClient();
		const pkg = new PackageClient({ reconnect: true, keepAlive: true, keepAliveDelay: 2000 });
		let pkgDisconnects = 0;
		pkg.on('disconnect', () => pkgDisconnects++);
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
		await pkg.connect('cockpit', 'pw', { host: '127.0.0.1', port: fake.port });
		fake.stalled = true; // from here the server neither reads nor answers, TCP stays open
		const pinged = new Promise<void>((resolve) => {
			fake.conns.at(-1)?.socket.prependListener('data', () => resolve());
		});
		vi.advanceTimersByTime(2000);
		await pinged; // the package's Ping reached the stalled server
		vi.advanceTimersByTime(10 * 60_000); // ten minutes without a Pong
		expect(pkg.isConnected).toBe(true); // still believes the link is fine
		expect(pkgDisconnects).toBe(0);
		expect(vi.getTimerCount()).toBe(0); // and it has nothing left that could ever notice
		pkg.disconnect();
		vi.useRealTimers();

		// ours under the same fake clock: Ping every 2 s, no Pong in 3 s → disconnect + reconnect
		fake.stalled = false;
		const client = new AmiClient({
			name: 'ours',
			host: '127.0.0.1',
			port: fake.port,
			username: 'cockpit',
			secret: 'pw'
		});
		const ready = new Promise<void>((resolve) => client.once('ready', resolve));
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
		client.start();
		await ready;
		const before = fake.conns.length;
		fake.stalled = true;
		const down = new Promise<string>((resolve) => client.once('disconnect', resolve));
		vi.advanceTimersByTime(2000); // Ping sent
		vi.advanceTimersByTime(3000); // no Pong within 3 s
		expect(await down).toMatch(/ping timeout/);
		fake.stalled = false;
		const back = new Promise<void>((resolve) => client.once('ready', resolve));
		vi.advanceTimersByTime(5000); // backoff (≤ 5 s)
		await back;
		expect(fake.conns.length).toBe(before + 1);
		await client.close();
	});
});
