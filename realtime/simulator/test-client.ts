/**
 * A minimal raw AMI client for tests of the simulator (and anyone who wants to poke it): keeps
 * every received byte and chunk, parses messages, and waits for messages by predicate.
 * Not the production client (realtime/ami/), on purpose: it must not hide protocol details.
 */
import net from 'node:net';
import { AmiParser, first } from '../ami/parser';
import type { AmiMessage } from '../ami/parser';
import { formatAction } from '../ami/format';
import type { AmiFields } from '../ami/format';

export class AmiTestClient {
	readonly socket: net.Socket;
	readonly parser = new AmiParser({ encoding: 'latin1' });
	/** every message received after the banner, in order */
	readonly messages: AmiMessage[] = [];
	/** the raw chunks as received */
	readonly chunks: Buffer[] = [];
	/** resolves when the server closes the connection (or it errors) */
	readonly closed: Promise<void>;
	#waiters: Array<{ pred: (m: AmiMessage) => boolean; from: number; resolve: (m: AmiMessage) => void }> = [];
	#nextId = 1;
	#parseError: unknown = null;

	private constructor(socket: net.Socket) {
		this.socket = socket;
		this.closed = new Promise((resolve) => {
			socket.once('close', () => resolve());
		});
		socket.on('data', (c: Buffer) => {
			this.chunks.push(c);
			let msgs: AmiMessage[] = [];
			try {
				msgs = this.parser.push(c);
			} catch (e) {
				this.#parseError = e;
			}
			for (const m of msgs) {
				this.messages.push(m);
				const idx = this.messages.length - 1;
				this.#waiters = this.#waiters.filter((w) => {
					if (idx >= w.from && w.pred(m)) {
						w.resolve(m);
						return false;
					}
					return true;
				});
			}
		});
		socket.on('error', () => undefined);
	}

	static connect(port: number, host = '127.0.0.1'): Promise<AmiTestClient> {
		return new Promise((resolve, reject) => {
			const s = net.connect({ port, host }, () => resolve(new AmiTestClient(s)));
			s.once('error', reject);
		});
	}

	get banner(): string | null {
		return this.parser.banner;
	}

	get parseError(): unknown {
		return this.#parseError;
	}

	/** all received bytes so far */
	bytes(): Buffer {
		return Buffer.concat(this.chunks);
	}

	/** index to pass as `from` to only consider messages received after now */
	mark(): number {
		return this.messages.length;
	}

	send(fields: AmiFields): void {
		this.socket.write(formatAction(fields));
	}

	sendRaw(data: string | Buffer): void {
		this.socket.write(data);
	}

	nextActionId(prefix = 't'): string {
		return `${prefix}-${this.#nextId++}`;
	}

	/** First message (from index `from`) matching `pred`; rejects after `timeoutMs` (a hang guard, not a timing assertion). */
	waitFor(
		pred: (m: AmiMessage) => boolean,
		opts: { from?: number; timeoutMs?: number } = {}
	): Promise<AmiMessage> {
		const from = opts.from ?? 0;
		for (let i = from; i < this.messages.length; i++) {
			const m = this.messages[i];
			if (m !== undefined && pred(m)) return Promise.resolve(m);
		}
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
				reject(new Error('AmiTestClient.waitFor: no matching message'));
			}, opts.timeoutMs ?? 5000);
			const done = (m: AmiMessage): void => {
				clearTimeout(timer);
				resolve(m);
			};
			this.#waiters.push({ pred, from, resolve: done });
		});
	}

	waitEvent(
		name: string,
		where: Record<string, string> = {},
		opts: { from?: number; timeoutMs?: number } = {}
	): Promise<AmiMessage> {
		return this.waitFor(
			(m) => first(m, 'Event') === name && Object.entries(where).every(([k, v]) => first(m, k) === v),
			opts
		);
	}

	/** Send an action (ActionID added when missing) and wait for its Response. */
	async action(fields: AmiFields): Promise<AmiMessage> {
		const id = typeof fields.ActionID === 'string' ? fields.ActionID : this.nextActionId();
		const from = this.mark();
		this.send({ ...fields, ActionID: id });
		return this.waitFor((m) => first(m, 'Response') !== undefined && first(m, 'ActionID') === id, { from });
	}

	/** Send a list action and collect the response, the items and the `…Complete` event. */
	async list(
		fields: AmiFields
	): Promise<{ response: AmiMessage; items: AmiMessage[]; complete: AmiMessage }> {
		const id = typeof fields.ActionID === 'string' ? fields.ActionID : this.nextActionId();
		const from = this.mark();
		this.send({ ...fields, ActionID: id });
		const response = await this.waitFor(
			(m) => first(m, 'Response') !== undefined && first(m, 'ActionID') === id,
			{ from }
		);
		const complete = await this.waitFor(
			(m) => first(m, 'EventList') === 'Complete' && first(m, 'ActionID') === id,
			{ from }
		);
		const start = this.messages.indexOf(response);
		const end = this.messages.indexOf(complete);
		const items = this.messages.slice(start + 1, end).filter((m) => first(m, 'ActionID') === id);
		return { response, items, complete };
	}

	async login(username: string, secret: string, events = 'on'): Promise<AmiMessage> {
		return this.action({ Action: 'Login', Username: username, Secret: secret, Events: events });
	}

	/** Messages (from `from`) that are events, by name. */
	events(name?: string, from = 0): AmiMessage[] {
		return this.messages
			.slice(from)
			.filter((m) => first(m, 'Event') !== undefined && (name === undefined || first(m, 'Event') === name));
	}

	close(): void {
		this.socket.destroy();
	}
}
