/**
 * Bench case `ami` (issue #9): AMI stream parsing throughput, ours vs asterisk-ami-client.
 *
 * Stream: the real Asterisk 22 transcripts (../shared/ami-transcripts/*.rx.ami, banner removed)
 * concatenated into one template (~10.8k messages, 4 MB), replicated until ≥ 1M messages, each
 * replica with varied values (every Uniqueid/Linkedid/Timestamp `<epoch>.<n>` shifted, every
 * Local channel id `-xxxxxxxx;` renumbered). One banner at the start. Cut into seeded random chunks
 * of 1 B..64 KiB. Both parsers get exactly the same chunks; only the push() calls are timed (the
 * stream is generated segment by segment, outside the timing, to keep memory flat).
 *
 * The package (AmiEventsStream#_transform, what AmiConnection pipes the socket into, its Readable side
 * stubbed) gets the very same chunks. It is quadratic in chunk size but still finishes the 1M stream
 * in well under a minute; BENCH_AMI_PACKAGE_MESSAGES=N measures it on a prefix instead (the result
 * then says so). Every "event" is one input AMI message (≈99 % events, the rest responses); with
 * the event filter the rate still counts input messages.
 */
import { AmiParser } from '../../../realtime/ami/parser';
import {
	createPackageParser,
	loadTranscripts,
	randomChunks,
	seededRandom,
	transcriptsDir
} from '../../../realtime/ami/testkit';
import type { BenchCase, BenchResult } from '../types';

const TARGET_MESSAGES = 1_000_000;
/** the package runs at ~25-30k msgs/s here, so the full stream takes < 1 min; a prefix can be asked for */
const PACKAGE_MESSAGES = Number(process.env.BENCH_AMI_PACKAGE_MESSAGES ?? TARGET_MESSAGES);
const BANNER = 'Asterisk Call Manager/11.0.0\r\n';
const GOAL_RATE = 100_000;
const GOAL_RATIO = 5;

interface Template {
	text: string;
	messages: number;
}

function buildTemplate(): Template {
	const dir = transcriptsDir();
	if (dir === null) throw new Error('../shared/ami-transcripts not found (set AMI_TRANSCRIPTS)');
	let text = '';
	let messages = 0;
	for (const t of loadTranscripts(dir)) {
		const body = t.rx.subarray(t.rx.indexOf(0x0a) + 1).toString('latin1');
		const n = new AmiParser({ expectBanner: false }).push(body).length;
		if (t.expectedMessages !== null && n !== t.expectedMessages) {
			throw new Error(`${t.name}: parsed ${n} messages, README says ${t.expectedMessages}`);
		}
		text += body;
		messages += n;
	}
	return { text, messages };
}

/** Replica `r` of the template with varied ids (same shapes and sizes ± a few bytes). */
function replica(tpl: Template, r: number): Buffer {
	const text = tpl.text
		.replace(/\b(1\d{9})\.(\d+)\b/g, (_m, s: string, f: string) => `${Number(s) + r * 17}.${f}`)
		.replace(
			/-([0-9a-f]{8});/g,
			(_m, h: string) => `-${((parseInt(h, 16) + r * 0x1000) >>> 0).toString(16).padStart(8, '0')};`
		);
	return Buffer.from(r === 0 ? BANNER + text : text, 'latin1');
}

interface Measured {
	/** messages in the input (template count × replicas) */
	messages: number;
	/** messages the parser returned (fewer with an event filter) */
	parsed: number;
	bytes: number;
	ms: number;
}

function measure(
	tpl: Template,
	maxMessages: number,
	make: () => { push(chunk: Buffer): { length: number } }
): Measured {
	const parser = make();
	const random = seededRandom(9);
	const m: Measured = { messages: 0, parsed: 0, bytes: 0, ms: 0 };
	for (let r = 0; m.messages < maxMessages; r++) {
		const chunks = randomChunks(replica(tpl, r), random, 1, 64 * 1024);
		const t0 = performance.now();
		for (const c of chunks) m.parsed += parser.push(c).length;
		m.ms += performance.now() - t0;
		for (const c of chunks) m.bytes += c.length;
		m.messages += tpl.messages;
	}
	return m;
}

/** input messages per second */
const rate = (m: Measured): number => Math.round((m.messages / m.ms) * 1000);

const ami: BenchCase = {
	name: 'ami',
	async run(): Promise<BenchResult[]> {
		const tpl = buildTemplate();
		// warm-up (JIT) on one replica each, not counted
		measure(tpl, 1, () => new AmiParser());
		measure(tpl, 1, createPackageParser);

		const ours = measure(tpl, TARGET_MESSAGES, () => new AmiParser());
		if (ours.parsed !== ours.messages)
			throw new Error(`ours parsed ${ours.parsed} of ${ours.messages} messages`);
		const filtered = measure(tpl, TARGET_MESSAGES, () => {
			const p = new AmiParser();
			// what the hub drops early: over half of the volume (DESIGN §4)
			p.eventFilter = (name) => name !== 'VarSet' && name !== 'Newexten';
			return p;
		});
		const pkg = measure(tpl, PACKAGE_MESSAGES, createPackageParser);
		if (pkg.parsed !== pkg.messages)
			throw new Error(`package parsed ${pkg.parsed} of ${pkg.messages} messages`);
		// like for like: compare on the very same bytes (the whole stream unless a prefix was asked for)
		const oursSame =
			pkg.messages === ours.messages ? ours : measure(tpl, PACKAGE_MESSAGES, () => new AmiParser());
		const oursRate = rate(ours);
		const pkgRate = rate(pkg);
		const ratio = rate(oursSame) / pkgRate;
		const whole = pkg.messages === ours.messages;
		const mb = (m: Measured): string => `${(m.bytes / 1e6).toFixed(0)} MB`;
		return [
			{
				case: 'ami',
				metric: `ours: parse ${ours.messages.toLocaleString('en-US')} msgs (${mb(ours)}, chunks 1 B–64 KiB)`,
				value: oursRate,
				unit: 'ev/s',
				baseline: null,
				ratio: null,
				goal: `≥ ${GOAL_RATE.toLocaleString('en-US')} ev/s`,
				pass: oursRate >= GOAL_RATE
			},
			{
				case: 'ami',
				metric: `ours: same stream, eventFilter drops VarSet+Newexten early (${filtered.parsed.toLocaleString('en-US')} kept)`,
				value: rate(filtered),
				unit: 'ev/s',
				baseline: oursRate,
				ratio: rate(filtered) / oursRate,
				goal: 'info (≥ unfiltered)',
				pass: true
			},
			{
				case: 'ami',
				metric: whole
					? `asterisk-ami-client 1.1.5: same ${pkg.messages.toLocaleString('en-US')} msgs, same chunks`
					: `asterisk-ami-client 1.1.5: first ${pkg.messages.toLocaleString('en-US')} msgs only (${mb(pkg)}, prefix asked by BENCH_AMI_PACKAGE_MESSAGES)`,
				value: pkgRate,
				unit: 'ev/s',
				baseline: null,
				ratio: null,
				goal: 'reference',
				pass: true
			},
			{
				case: 'ami',
				metric: `speed-up, ours vs package on the same ${pkg.messages.toLocaleString('en-US')} msgs`,
				value: Math.round(ratio * 10) / 10,
				unit: '×',
				baseline: pkgRate,
				ratio,
				goal: `≥ ${GOAL_RATIO}×`,
				pass: ratio >= GOAL_RATIO
			}
		];
	}
};

export default ami;
