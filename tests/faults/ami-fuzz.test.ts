/**
 * AMI fuzzing (issue 10 item 5): frames cut from the real Asterisk transcripts
 * (../shared/ami-transcripts), mutated by fast-check (bit flips, inserted CR/LF/NUL/colons, cut,
 * duplicated and spliced ranges, random bytes, oversized values), fed in random chunks.
 *
 * - Parser + normalizer: FUZZ_AMI_FRAMES mutated frames (default 1,000,000, about a minute). The parser may only
 *   refuse a stream with AmiProtocolError (the client then drops and reconnects with a fresh
 *   parser); normalizeEvent never throws; and a valid frame sent after the garbage and a blank line
 *   always comes out as itself — a mutated frame can never wedge the stream.
 * - Client over real TCP: FUZZ_AMI_CLIENT_ROUNDS rounds (default 20) of 2,000 mutated frames each
 *   written to a logged-in AmiClient; nothing escapes as an exception, and afterwards the client
 *   is connected and delivers a sentinel event (directly, or after a reconnect).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiClient } from '../../realtime/ami/client';
import { normalizeEvent } from '../../realtime/ami/normalize';
import { AmiParser, AmiProtocolError, first, type AmiMessage } from '../../realtime/ami/parser';
import {
	FakeAmi,
	loadTranscripts,
	randomChunks,
	seededRandom,
	transcriptsDir
} from '../../realtime/ami/testkit';
import { until } from './support';

const FRAMES = Number(process.env.FUZZ_AMI_FRAMES ?? 1_000_000);
const FRAMES_PER_RUN = 100;
const CLIENT_ROUNDS = Number(process.env.FUZZ_AMI_CLIENT_ROUNDS ?? 20);
const CLIENT_FRAMES = 2000;
const BANNER = 'Asterisk Call Manager/11.0.0\r\n';
const SENTINEL = 'Event: FuzzSentinel\r\nPrivilege: call,all\r\nLinkedid: 1.1\r\n\r\n';
const dir = transcriptsDir();

/** Every message of every transcript, as raw bytes ending in its blank line. */
function corpus(): Buffer[] {
	const frames: Buffer[] = [];
	for (const t of loadTranscripts(dir!)) {
		const text = t.rx.toString('latin1');
		const body = text.startsWith('Asterisk Call Manager') ? text.slice(text.indexOf('\r\n') + 2) : text;
		for (const part of body.split('\r\n\r\n'))
			if (part.trim() !== '') frames.push(Buffer.from(part + '\r\n\r\n', 'latin1'));
	}
	return frames;
}

const SPECIAL = [0x0d, 0x0a, 0x00, 0x3a, 0x20, 0xff, 0x7f, 0xc3];

/** One mutation of one frame; `pick` indexes the corpus for splices. */
const mutation = fc.oneof(
	{
		arbitrary: fc.record({ op: fc.constant('huge' as const), len: fc.integer({ min: 1, max: 70_000 }) }),
		weight: 1
	},
	{
		arbitrary: fc.oneof(
			fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
			fc.record({
				op: fc.constant('insert' as const),
				at: fc.nat(),
				byte: fc.oneof(fc.constantFrom(...SPECIAL), fc.integer({ min: 0, max: 255 }))
			}),
			fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
			fc.record({
				op: fc.constant('duplicate' as const),
				at: fc.nat(),
				len: fc.integer({ min: 1, max: 64 })
			}),
			fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
			fc.record({ op: fc.constant('splice' as const), at: fc.nat(), pick: fc.nat() }),
			fc.record({ op: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 64 }) })
		),
		weight: 30
	}
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(frame: Buffer, m: Mutation, frames: readonly Buffer[]): Buffer {
	const at = 'at' in m ? m.at % (frame.length + 1) : 0;
	switch (m.op) {
		case 'flip': {
			const out = Buffer.from(frame);
			if (out.length > 0) out[at % out.length]! ^= 1 << m.bit;
			return out;
		}
		case 'insert':
			return Buffer.concat([frame.subarray(0, at), Buffer.from([m.byte]), frame.subarray(at)]);
		case 'delete':
			return Buffer.concat([frame.subarray(0, at), frame.subarray(at + m.len)]);
		case 'duplicate':
			return Buffer.concat([frame.subarray(0, at + m.len), frame.subarray(at)]);
		case 'truncate':
			return frame.subarray(0, at);
		case 'splice': {
			const other = frames[m.pick % frames.length]!;
			return Buffer.concat([frame.subarray(0, at), other.subarray(m.pick % (other.length + 1))]);
		}
		case 'random':
			return Buffer.from(m.bytes);
		case 'huge':
			return Buffer.concat([
				frame.subarray(0, at),
				Buffer.from(`X-Huge: ${'a'.repeat(m.len)}`),
				frame.subarray(at)
			]);
	}
}

const batch = fc.array(
	fc.record({ frame: fc.nat(), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
	{
		minLength: FRAMES_PER_RUN,
		maxLength: FRAMES_PER_RUN
	}
);

function mutatedStream(frames: readonly Buffer[], items: { frame: number; mutations: Mutation[] }[]): Buffer {
	return Buffer.concat(
		items.map(({ frame, mutations }) =>
			mutations.reduce((b, m) => mutate(b, m, frames), frames[frame % frames.length]!)
		)
	);
}

/** Like the client: a protocol error drops the connection and the next one starts a fresh parser. */
function feed(
	parser: AmiParser,
	chunks: Buffer[]
): { parser: AmiParser; messages: AmiMessage[]; refused: number } {
	const messages: AmiMessage[] = [];
	let refused = 0;
	for (const chunk of chunks) {
		try {
			messages.push(...parser.push(chunk));
		} catch (err) {
			if (!(err instanceof AmiProtocolError)) throw err;
			refused++;
			parser = new AmiParser({ maxMessageBytes: 64 * 1024 });
			parser.push(BANNER);
		}
	}
	return { parser, messages, refused };
}

describe.skipIf(dir === null)('AMI fuzzing with mutated real frames', () => {
	const frames = dir === null ? [] : corpus();

	it(`parses ${FRAMES.toLocaleString('en')} mutated frames without a throw or a wedged stream`, () => {
		let fed = 0;
		let refused = 0;
		let normalized = 0;
		fc.assert(
			fc.property(batch, fc.integer(), (items, seed) => {
				const random = seededRandom(seed);
				const first = new AmiParser({ maxMessageBytes: 64 * 1024 });
				first.push(BANNER);
				const out = feed(first, randomChunks(mutatedStream(frames, items), random, 1, 4096));
				for (const msg of out.messages) if (normalizeEvent(msg) !== null) normalized++;
				const tail = feed(
					out.parser,
					randomChunks(Buffer.from('\r\n\r\n' + SENTINEL, 'latin1'), random, 1, 8)
				);
				fed += items.length;
				refused += out.refused + tail.refused;
				const last = tail.messages.at(-1);
				return tail.refused === 0 && last !== undefined && first_(last, 'Event') === 'FuzzSentinel';
			}),
			{ numRuns: Math.ceil(FRAMES / FRAMES_PER_RUN), seed: 20261125 }
		);
		console.info(
			`[faults/ami-fuzz] parser: ${fed} mutated frames, ${refused} streams refused as not AMI, ${normalized} normalized events`
		);
		expect(fed).toBeGreaterThanOrEqual(FRAMES);
	}, 600_000);

	describe('the client over real TCP', () => {
		const fake = new FakeAmi();
		let client: AmiClient;
		const errors: Error[] = [];
		let sentinels = 0;
		let readies = 0;

		beforeAll(async () => {
			await fake.listen();
			client = new AmiClient({
				name: 'fuzz',
				host: '127.0.0.1',
				port: fake.port,
				username: 'u',
				secret: fake.secret,
				reconnectMinMs: 20,
				reconnectMaxMs: 100
			});
			client.on('error', (err) => errors.push(err));
			client.on('ready', () => readies++);
			client.on('event', (msg) => {
				if (first(msg, 'Event') === 'FuzzSentinel') sentinels++;
			});
			client.start();
			await until(() => client.connected, 10_000, 'the first login');
		});
		afterAll(async () => {
			await client?.close();
			await fake.close();
		});

		it(`survives ${CLIENT_ROUNDS} rounds of ${CLIENT_FRAMES} mutated frames and still delivers events`, async () => {
			const rounds = fc.sample(
				fc.array(
					fc.record({ frame: fc.nat(), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
					{ minLength: CLIENT_FRAMES, maxLength: CLIENT_FRAMES }
				),
				{ numRuns: CLIENT_ROUNDS, seed: 7 }
			);
			const random = seededRandom(99);
			for (const items of rounds) {
				const conn = fake.conns.at(-1)!;
				for (const chunk of randomChunks(mutatedStream(frames, items), random, 1, 16 * 1024))
					if (!conn.socket.destroyed) conn.socket.write(chunk);
				const before = sentinels;
				// the sentinel arrives on this connection, or the client dropped it and logged in again
				await until(
					() => {
						const live = fake.conns.at(-1)!;
						if (client.connected && live.loggedIn && !live.socket.destroyed)
							live.socket.write('\r\n\r\n' + SENTINEL);
						return sentinels > before;
					},
					30_000,
					'a sentinel event after the mutated frames'
				);
			}
			console.info(
				`[faults/ami-fuzz] client: ${CLIENT_ROUNDS * CLIENT_FRAMES} mutated frames over TCP, ${readies} logins, ${errors.length} protocol errors reported`
			);
			expect(client.connected).toBe(true);
			expect(
				errors.every(
					(e) =>
						e.name === 'AmiProtocolError' ||
						e.name === 'AmiTimeoutError' ||
						e.name === 'AmiActionError' ||
						e.name === 'AmiNotConnectedError'
				)
			).toBe(true);
		}, 600_000);
	});
});

const first_ = first;
