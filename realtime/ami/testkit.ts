/**
 * Test and benchmark helpers for realtime/ami (not used at runtime): the real Asterisk transcripts
 * in ../shared/ami-transcripts, a seeded RNG and chunker, and a synchronous adapter around the
 * parsing path of the `asterisk-ami-client` package (its `asterisk-ami-events-stream` Transform).
 */
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMessage, type AmiFields } from './format';
import { AmiParser, first, type AmiMessage } from './parser';

/** Directory of the real AMI transcripts, or null when absent. Override with AMI_TRANSCRIPTS. */
export function transcriptsDir(): string | null {
	const candidates = [
		process.env.AMI_TRANSCRIPTS,
		path.resolve(process.cwd(), '../shared/ami-transcripts'),
		fileURLToPath(new URL('../../../shared/ami-transcripts/', import.meta.url))
	];
	for (const c of candidates)
		if (c !== undefined && c !== '' && existsSync(path.join(c, 'README.md'))) return c;
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
	for (let i = 0; i < buf.length;) {
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

// ---------------------------------------------------------------------------------------------
// A small fake Asterisk on loopback: banner, Login, Ping, Logoff, list actions, Command, stalls.
// ---------------------------------------------------------------------------------------------

export type Reply = AmiFields | AmiFields[] | null;
export type Handler = (action: AmiMessage, conn: FakeConn) => Reply | undefined;

export interface FakeConn {
	index: number;
	socket: net.Socket;
	actions: AmiMessage[];
	loggedIn: boolean;
	send(fields: AmiFields): void;
}

export class FakeAmi {
	server = net.createServer();
	conns: FakeConn[] = [];
	secret = 'pw';
	/** answer nothing and read nothing from now on (half-open from the client's point of view) */
	stalled = false;
	handler: Handler | null = null;
	port = 0;

	async listen(port = 0): Promise<void> {
		this.server.on('connection', (socket) => this.#accept(socket));
		this.server.listen(port, '127.0.0.1');
		await once(this.server, 'listening');
		const addr = this.server.address();
		if (addr === null || typeof addr === 'string') throw new Error('no port');
		this.port = addr.port;
	}

	get actions(): AmiMessage[] {
		return this.conns.flatMap((c) => c.actions);
	}

	actionsNamed(name: string): AmiMessage[] {
		return this.actions.filter((a) => first(a, 'Action')?.toLowerCase() === name.toLowerCase());
	}

	/** events to every logged-in connection */
	broadcast(fields: AmiFields): void {
		for (const c of this.conns) if (c.loggedIn && !c.socket.destroyed) c.send(fields);
	}

	dropAll(): void {
		for (const c of this.conns) c.socket.destroy();
	}

	async close(): Promise<void> {
		this.dropAll();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	#accept(socket: net.Socket): void {
		const conn: FakeConn = {
			index: this.conns.length,
			socket,
			actions: [],
			loggedIn: false,
			send: (fields) => {
				if (!socket.destroyed) socket.write(formatMessage(fields));
			}
		};
		this.conns.push(conn);
		socket.on('error', () => {});
		// like Asterisk: the banner, then (later writes) the rest
		socket.write('Asterisk Call Manager/11.0.0\r\n');
		const parser = new AmiParser({ expectBanner: false });
		socket.on('data', (chunk) => {
			if (this.stalled) {
				socket.pause();
				return;
			}
			for (const action of parser.push(chunk)) {
				conn.actions.push(action);
				this.#answer(action, conn);
			}
		});
	}

	#answer(action: AmiMessage, conn: FakeConn): void {
		const id = first(action, 'ActionID');
		const custom = this.handler?.(action, conn);
		if (custom !== undefined) {
			if (custom !== null) for (const f of Array.isArray(custom) ? custom : [custom]) conn.send(f);
			return;
		}
		const name = first(action, 'Action')?.toLowerCase();
		switch (name) {
			case 'login':
				if (first(action, 'Secret') === this.secret) {
					conn.loggedIn = true;
					conn.send({ Response: 'Success', ActionID: id, Message: 'Authentication accepted' });
					conn.send({
						Event: 'FullyBooted',
						Privilege: 'system,all',
						Uptime: '1',
						LastReload: '1',
						Status: 'Fully Booted'
					});
				} else {
					conn.send({ Response: 'Error', ActionID: id, Message: 'Authentication failed' });
					conn.socket.end();
				}
				return;
			case 'ping':
				// split like Asterisk does
				conn.socket.write(`Response: Success\r\nActionID: ${id}\r\n`);
				conn.socket.write('Ping: Pong\r\nTimestamp: 1795609661.831040\r\n');
				conn.socket.write('\r\n');
				return;
			case 'logoff':
				conn.send({ Response: 'Goodbye', ActionID: id, Message: 'Thanks for all the fish.' });
				conn.socket.end();
				return;
			case 'coreshowchannels':
				conn.send({ Response: 'Success', ActionID: id, EventList: 'start', Message: 'Channels will follow' });
				conn.send({
					Event: 'CoreShowChannel',
					ActionID: id,
					Channel: 'Local/agent1@agents-00000001;1',
					Linkedid: '1.1'
				});
				conn.send({ Event: 'Newexten', Channel: 'PJSIP/9', Exten: 's' }); // unrelated event in between
				conn.send({
					Event: 'CoreShowChannel',
					ActionID: id,
					Channel: 'Local/agent1@agents-00000001;2',
					Linkedid: '1.1'
				});
				conn.send({ Event: 'CoreShowChannelsComplete', ActionID: id, EventList: 'Complete', ListItems: '2' });
				return;
			case 'queuestatus':
				conn.send({ Response: 'Error', ActionID: id, Message: 'Permission denied' });
				return;
			case 'command':
				conn.send({
					Response: 'Success',
					ActionID: id,
					Message: 'Command output follows',
					Output: [
						'sales has 0 calls (max unlimited)',
						'   Members: ',
						'      Agent One (Local/agent1@agents/n)'
					]
				});
				conn.socket.write('\r\n'); // a lone CRLF chunk after Command output, as seen on Asterisk 22
				return;
			default:
				conn.send({ Response: 'Success', ActionID: id, Message: `${first(action, 'Action')} done` });
		}
	}
}
