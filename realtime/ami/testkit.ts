/**
 * Test and benchmark helpers for realtime/ami (not used at runtime): the real Asterisk transcripts
 * in ../shared/ami-transcripts, a seeded RNG and chunker, and a synchronous adapter around the
 * parsing path of the `asterisk-ami-client` package (its `asterisk-ami-events-stream` Transform).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory of the real AMI transcripts, or null when absent. Override with AMI_TRANSCRIPTS. */
export function transcriptsDir(): string | null {
	const candidates = [
		process.env.AMI_TRANSCRIPTS,
		path.resolve(process.cwd(), '../shared/ami-transcripts'),
		fileURLToPath(new URL('../../../shared/ami-transcripts/', import.meta.url))
	];
	for (const c of candidates) if (c !== undefined && c !== '' && existsSync(path.join(c, 'README.md'))) return c;
	return null;
}

export interface Transcript {
	name: string;
	/** exact bytes received, banner included */
	rx: Buffer;
	/** the real recv() chunks (rx entries of the session file) */
	rxChunks: Buffer[];
	/** "N messages after the banner" from the README */
	expectedMessages: number | null;
}

export function loadTranscripts(dir: string): Transcript[] {
	const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.rx.ami'))
		.sort()
		.map((f) => {
			const name = f.slice(0, -'.rx.ami'.length);
			const session = readFileSync(path.join(dir, `${name}.session.jsonl`), 'utf8');
			const rxChunks: Buffer[] = [];
			for (const line of session.split('\n')) {
				if (line.trim() === '') continue;
				const entry = JSON.parse(line) as { dir: string; data: string };
				if (entry.dir === 'rx') rxChunks.push(Buffer.from(entry.data, 'latin1'));
			}
			const section = readme.split(/^### /m).find((s) => s.startsWith(`${name}\n`));
			const m = section === undefined ? null : /(\d+) messages after the banner/.exec(section);
			return {
				name,
				rx: readFileSync(path.join(dir, f)),
				rxChunks,
				expectedMessages: m === null ? null : Number(m[1])
			};
		});
}

/** mulberry32: small, fast, seeded. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Cut `buf` into chunks of random length in [min, max] (views, no copies). */
export function randomChunks(buf: Buffer, random: () => number, min = 1, max = 64 * 1024): Buffer[] {
	const out: Buffer[] = [];
	for (let i = 0; i < buf.length; ) {
		const n = min + Math.floor(random() * (max - min + 1));
		out.push(buf.subarray(i, i + n));
		i += n;
	}
	return out;
}

/** What asterisk-ami-events-stream emits for one message (a flat object, values trimmed). */
export type PackageMessage = Record<string, string | null>;

interface PackageStream {
	_transform(chunk: Buffer, encoding: string, done: () => void): void;
	push(chunk: unknown): boolean;
	on(event: 'amiEvent' | 'amiResponse', fn: (msg: PackageMessage) => void): unknown;
}

/**
 * The package's parsing path fed synchronously: AmiEventsStream#_transform (what AmiConnection
 * pipes the socket into) with its Readable side stubbed, so only parsing is measured.
 */
export function createPackageParser(): { push(chunk: Buffer): PackageMessage[] } {
	const req = createRequire(createRequire(import.meta.url).resolve('asterisk-ami-client'));
	const Stream = req('asterisk-ami-events-stream') as new () => PackageStream;
	const stream = new Stream();
	stream.push = () => true;
	let out: PackageMessage[] = [];
	stream.on('amiEvent', (m) => out.push(m));
	stream.on('amiResponse', (m) => out.push(m));
	return {
		push(chunk: Buffer): PackageMessage[] {
			stream._transform(chunk, 'buffer', () => {});
			const done = out;
			out = [];
			return done;
		}
	};
}

/** The package's client class (for ActionID / keepalive behaviour tests). */
export function loadPackageClient(): new (options?: Record<string, unknown>) => PackageAmiClient {
	const req = createRequire(import.meta.url);
	return req('asterisk-ami-client') as new (options?: Record<string, unknown>) => PackageAmiClient;
}

export interface PackageAmiClient {
	connect(user: string, secret: string, options: { host: string; port: number }): Promise<unknown>;
	action(message: Record<string, string>, promisable: true): Promise<PackageMessage>;
	disconnect(): unknown;
	on(event: string, fn: (...args: unknown[]) => void): unknown;
	readonly isConnected: boolean | null;
}
