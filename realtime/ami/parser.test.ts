import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMessage } from './format';
import { AmiParser, AmiProtocolError, all, first, type AmiMessage } from './parser';
import { loadTranscripts, randomChunks, seededRandom, transcriptsDir } from './testkit';

const BANNER = 'Asterisk Call Manager/11.0.0';

function parseChunks(chunks: Iterable<Buffer | string>, parser = new AmiParser()): AmiMessage[] {
	const out: AmiMessage[] = [];
	for (const c of chunks) for (const m of parser.push(c)) out.push(m);
	return out;
}

function bytes(buf: Buffer): Buffer[] {
	const out: Buffer[] = [];
	for (let i = 0; i < buf.length; i++) out.push(buf.subarray(i, i + 1));
	return out;
}

const dir = transcriptsDir();
if (dir === null)
	console.warn(
		'realtime/ami: ../shared/ami-transcripts not found (set AMI_TRANSCRIPTS); transcript tests skipped'
	);
const transcripts = dir === null ? [] : loadTranscripts(dir);

describe.skipIf(dir === null)('AmiParser on real Asterisk 22 transcripts', () => {
	it('finds every transcript with a README count', () => {
		expect(transcripts.length).toBeGreaterThanOrEqual(11);
		for (const t of transcripts) expect(t.expectedMessages, t.name).not.toBeNull();
	});

	for (const t of transcripts) {
		describe(t.name, () => {
			const parser = new AmiParser();
			const whole = parser.push(t.rx);

			it('parses the whole file: banner + README message count, nothing left over', () => {
				expect(parser.banner).toBe(BANNER);
				expect(whole).toHaveLength(t.expectedMessages ?? -1);
				expect(parser.pendingBytes).toBe(0);
				for (const m of whole) {
					const kind = first(m, 'Event') ?? first(m, 'Response');
					expect(kind, JSON.stringify(m)).toBeDefined();
				}
			});

			it('gives the same messages for the real recv() chunk boundaries', () => {
				expect(Buffer.concat(t.rxChunks).equals(t.rx)).toBe(true);
				expect(parseChunks(t.rxChunks)).toEqual(whole);
			});

			it('gives the same messages for 1-byte chunks', () => {
				const p = new AmiParser();
				expect(parseChunks(bytes(t.rx), p)).toEqual(whole);
				expect(p.banner).toBe(BANNER);
			});

			it('gives the same messages for seeded random chunking', () => {
				for (const [seed, max] of [
					[1, 7],
					[2, 100],
					[3, 4096],
					[4, 65536]
				] as const) {
					expect(parseChunks(randomChunks(t.rx, seededRandom(seed), 1, max)), `seed ${seed}`).toEqual(whole);
				}
			});
		});
	}

	it('keeps every repeated Output: line of a Command response, indentation included', () => {
		const cmd = transcripts
			.flatMap((t) => new AmiParser().push(t.rx))
			.filter((m) => first(m, 'Message') === 'Command output follows');
		expect(cmd.length).toBeGreaterThan(0);
		const queueShow = cmd.find((m) => all(m, 'Output').some((l) => l.includes('Members:')));
		expect(queueShow).toBeDefined();
		const lines = all(queueShow ?? {}, 'Output');
		expect(Array.isArray(queueShow?.Output)).toBe(true);
		expect(lines.length).toBeGreaterThan(3);
		expect(lines).toContain('   Members: ');
		expect(lines.some((l) => l.startsWith('      Agent One (Local/agent1@agents/n'))).toBe(true);
		expect(first(queueShow ?? {}, 'Response')).toBe('Success');
	});

	it('keeps repeated ChanVariable: headers as arrays (channelvars)', () => {
		const t = transcripts.find((x) => x.name.includes('chanvars'));
		expect(t).toBeDefined();
		const msgs = new AmiParser().push(t?.rx ?? Buffer.alloc(0));
		const withVars = msgs.filter((m) => Array.isArray(m.ChanVariable));
		expect(withVars.length).toBeGreaterThan(10);
		for (const m of withVars) {
			for (const v of all(m, 'ChanVariable')) expect(v).toMatch(/^[A-Za-z_()]+=/);
		}
	});
});

describe('AmiParser framing', () => {
	it('reads the banner (no blank line after it) and the message that follows directly', () => {
		const p = new AmiParser();
		expect(p.banner).toBeNull();
		const msgs = p.push(
			`${BANNER}\r\nResponse: Success\r\nActionID: a-1\r\nMessage: Authentication accepted\r\n\r\n`
		);
		expect(p.banner).toBe(BANNER);
		expect(msgs).toEqual([{ Response: 'Success', ActionID: 'a-1', Message: 'Authentication accepted' }]);
	});

	it('assembles a banner split over chunks, also between \\r and \\n', () => {
		const p = new AmiParser();
		expect(p.push('Asterisk Call ')).toEqual([]);
		expect(p.push('Manager/11.0.0\r')).toEqual([]);
		expect(p.banner).toBeNull();
		expect(p.push('\nPing: Pong\r\n\r\n')).toEqual([{ Ping: 'Pong' }]);
		expect(p.banner).toBe(BANNER);
	});

	it('treats a first line with a colon as a header when no banner comes', () => {
		const p = new AmiParser();
		expect(p.push('Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n')).toEqual([
			{ Event: 'FullyBooted', Status: 'Fully Booted' }
		]);
		expect(p.banner).toBeNull();
	});

	it('parses actions on the server side (expectBanner: false)', () => {
		const p = new AmiParser({ expectBanner: false });
		expect(p.push('Action: Login\r\nUsername: u\r\nSecret: s\r\n\r\nAction: Ping\r\n\r\n')).toEqual([
			{ Action: 'Login', Username: 'u', Secret: 's' },
			{ Action: 'Ping' }
		]);
		expect(p.banner).toBeNull();
	});

	it('finds the blank line when \\r\\n\\r\\n is split at every position', () => {
		const text = `${BANNER}\r\nResponse: Success\r\nActionID: x\r\n\r\nEvent: A\r\n\r\n`;
		const buf = Buffer.from(text);
		for (let i = 1; i < buf.length; i++) {
			for (let j = i + 1; j < buf.length; j++) {
				const msgs = parseChunks([buf.subarray(0, i), buf.subarray(i, j), buf.subarray(j)]);
				expect(msgs, `cuts ${i},${j}`).toEqual([{ Response: 'Success', ActionID: 'x' }, { Event: 'A' }]);
			}
		}
	});

	it('tolerates bare \\n line ends, mixed with \\r\\n', () => {
		const msgs = parseChunks([
			'Asterisk Call Manager/11.0.0\nEvent: A\nX: 1\n\n',
			'Event: B\r\nY: 2\n\r\n',
			'Event: C\n',
			'\n'
		]);
		expect(msgs).toEqual([{ Event: 'A', X: '1' }, { Event: 'B', Y: '2' }, { Event: 'C' }]);
	});

	it('ignores extra blank lines between messages', () => {
		const p = new AmiParser({ expectBanner: false });
		expect(p.push('\r\n\r\nEvent: A\r\n\r\n\r\n\n\r\nEvent: B\r\n\r\n')).toEqual([
			{ Event: 'A' },
			{ Event: 'B' }
		]);
	});

	it('keeps the value after the first colon minus one space; keys keep their case', () => {
		const p = new AmiParser({ expectBanner: false });
		const [m] = p.push(
			'Event: X\r\nAppData: a:b: c\r\nEmpty:\r\nSpace: \r\nIndent:    x  \r\nuniqueID: 1\r\n\r\n'
		);
		expect(m).toEqual({
			Event: 'X',
			AppData: 'a:b: c',
			Empty: '',
			Space: '',
			Indent: '   x  ',
			uniqueID: '1'
		});
		expect(first(m ?? {}, 'UniqueID')).toBeUndefined();
	});

	it("keeps a line without a colon under the key ''", () => {
		const p = new AmiParser({ expectBanner: false });
		expect(p.push('Response: Follows\r\nline one\r\nline two\r\n--END COMMAND--\r\n\r\n')).toEqual([
			{ Response: 'Follows', '': ['line one', 'line two', '--END COMMAND--'] }
		]);
	});

	it('keeps repeated keys in order as string[] (3+ values too)', () => {
		const p = new AmiParser({ expectBanner: false });
		const [m] = p.push('Response: Success\r\nOutput: a\r\nOutput: b\r\nOutput: c\r\n\r\n');
		expect(m?.Output).toEqual(['a', 'b', 'c']);
		expect(first(m ?? {}, 'Output')).toBe('a');
		expect(all(m ?? {}, 'Output')).toEqual(['a', 'b', 'c']);
		expect(all(m ?? {}, 'Response')).toEqual(['Success']);
		expect(all(m ?? {}, 'Nope')).toEqual([]);
	});

	it('decodes UTF-8 caller names whole when a multi-byte character is split across chunks', () => {
		const buf = Buffer.from('Event: NewCallerid\r\nCallerIDName: Jürgen Ødegård 電話\r\n\r\n', 'utf8');
		const umlaut = buf.indexOf(Buffer.from('ü')) + 1; // between the two bytes of ü
		const p = new AmiParser({ expectBanner: false });
		expect(p.push(buf.subarray(0, umlaut))).toEqual([]);
		expect(p.push(buf.subarray(umlaut))).toEqual([
			{ Event: 'NewCallerid', CallerIDName: 'Jürgen Ødegård 電話' }
		]);
		const one = parseChunks(bytes(buf), new AmiParser({ expectBanner: false }));
		expect(one[0]?.CallerIDName).toBe('Jürgen Ødegård 電話');
	});

	it('keeps bytes 1:1 with encoding latin1', () => {
		const p = new AmiParser({ expectBanner: false, encoding: 'latin1' });
		const [m] = p.push(
			Buffer.from([...Buffer.from('Event: X\r\nName: '), 0xe9, 0xff, 0x0d, 0x0a, 0x0d, 0x0a])
		);
		expect(Buffer.from(first(m ?? {}, 'Name') ?? '', 'latin1')).toEqual(Buffer.from([0xe9, 0xff]));
	});

	it('builds null-prototype messages: __proto__ and constructor are plain data', () => {
		const p = new AmiParser({ expectBanner: false });
		const [m] = p.push('Event: X\r\n__proto__: a\r\n__proto__: b\r\nconstructor: c\r\n\r\n');
		expect(m?.['__proto__']).toEqual(['a', 'b']);
		expect(first(m ?? {}, 'constructor')).toBe('c');
		expect(Object.getPrototypeOf(m)).toBeNull();
		expect(first({ Event: 'x' }, 'toString')).toBeUndefined();
	});

	it('skips events rejected by eventFilter without building them, keeps the rest', () => {
		const seen: string[] = [];
		const p = new AmiParser({
			expectBanner: false,
			eventFilter: (name) => {
				seen.push(name);
				return name !== 'VarSet';
			}
		});
		const msgs = parseChunks(
			[
				'Event: VarSet\r\nVariable: A\r\nValue: 1\r\n\r\nEvent: Hangup\r\nCause: 16\r\n',
				'\r\nEvent: VarSet\n\nResponse: Success\r\n\r\n'
			],
			p
		);
		expect(msgs).toEqual([{ Event: 'Hangup', Cause: '16' }, { Response: 'Success' }]);
		expect(seen).toEqual(['VarSet', 'Hangup', 'VarSet']);
		p.eventFilter = null;
		expect(p.push('Event: VarSet\r\n\r\n')).toEqual([{ Event: 'VarSet' }]);
	});

	it('throws AmiProtocolError when a message exceeds maxMessageBytes without a blank line', () => {
		const p = new AmiParser({ expectBanner: false, maxMessageBytes: 64 });
		expect(p.push('Event: A\r\n')).toEqual([]);
		expect(() => p.push('X: ' + 'y'.repeat(100))).toThrow(AmiProtocolError);
		expect(p.pendingBytes).toBe(0);
	});

	it('reset() forgets the banner and any partial message', () => {
		const p = new AmiParser();
		p.push(`${BANNER}\r\nEvent: A\r\nX: 1`);
		expect(p.pendingBytes).toBeGreaterThan(0);
		p.reset();
		expect(p.banner).toBeNull();
		expect(p.pendingBytes).toBe(0);
		expect(p.push(`${BANNER}\r\nEvent: B\r\n\r\n`)).toEqual([{ Event: 'B' }]);
	});
});

describe('AmiParser property: chunking never changes the result', () => {
	const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,11}$/);
	// printable text (any Unicode, no control characters): the UTF-8 bytes get cut anywhere
	const value = fc
		.string({ unit: 'grapheme', maxLength: 24 })
		// eslint-disable-next-line no-control-regex
		.map((s) => s.replace(/[\x00-\x1f\x7f\u0080-\u009f]/g, '?'));
	const message = fc.array(
		fc.tuple(fc.oneof(fc.constantFrom('Event', 'Response', 'Output', 'ActionID'), key), value),
		{
			minLength: 1,
			maxLength: 8
		}
	);

	function expected(pairs: [string, string][]): AmiMessage {
		const m = Object.create(null) as AmiMessage;
		for (const [k, v] of pairs) {
			const prev = m[k];
			if (prev === undefined) m[k] = v;
			else if (typeof prev === 'string') m[k] = [prev, v];
			else prev.push(v);
		}
		return m;
	}

	function serialise(pairs: [string, string][]): string {
		return pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
	}

	it('any chunking of any message sequence parses to the same messages', () => {
		fc.assert(
			fc.property(
				fc.array(message, { minLength: 0, maxLength: 12 }),
				fc.array(fc.nat(), { maxLength: 30 }),
				fc.boolean(),
				fc.boolean(),
				(msgs, cutSeeds, bareLf, banner) => {
					let text = (banner ? `${BANNER}\r\n` : '') + msgs.map(serialise).join('');
					if (bareLf) text = text.replace(/\r\n/g, '\n');
					const buf = Buffer.from(text, 'utf8');
					const cuts = [...new Set(cutSeeds.map((s) => (buf.length === 0 ? 0 : s % buf.length)))].sort(
						(a, b) => a - b
					);
					const chunks: Buffer[] = [];
					let prev = 0;
					for (const c of cuts) {
						chunks.push(buf.subarray(prev, c));
						prev = c;
					}
					chunks.push(buf.subarray(prev));
					const p = new AmiParser({ expectBanner: banner });
					const got = parseChunks(chunks, p);
					expect(got).toEqual(msgs.map(expected));
					expect(p.pendingBytes).toBe(0);
					if (banner) expect(p.banner).toBe(BANNER);
				}
			),
			{ numRuns: 400, seed: 20261125 }
		);
	});

	it('round-trips formatMessage output through any chunking', () => {
		fc.assert(
			fc.property(
				fc.dictionary(key, fc.oneof(value, fc.array(value, { minLength: 2, maxLength: 4 })), {
					minKeys: 1,
					maxKeys: 6
				}),
				fc.integer({ min: 1, max: 9 }),
				(fields, size) => {
					const buf = Buffer.from(formatMessage(fields));
					const chunks: Buffer[] = [];
					for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
					const [m] = parseChunks(chunks, new AmiParser({ expectBanner: false }));
					expect(m).toEqual(fields);
				}
			),
			{ numRuns: 300, seed: 7 }
		);
	});
});
