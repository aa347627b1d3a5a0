/**
 * Test support (never used at runtime): a minimal SMTP server on loopback that speaks the real
 * protocol (EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), keeps
 * every accepted message, and can refuse the next N transactions with a temporary 451.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface ReceivedMail {
	from: string;
	to: string[];
	/** the raw message (headers and body) as received, dot-unstuffed */
	data: string;
	auth: string | null;
}

export class SmtpTestServer {
	readonly received: ReceivedMail[] = [];
	/** every command line the server read, for asserting the conversation */
	readonly commands: string[] = [];
	#server: Server | null = null;
	#failNext = 0;
	#sockets = new Set<Socket>();
	port = 0;

	/** The next `n` MAIL FROM commands get `451 4.3.0 try again later`. */
	failNext(n: number): void {
		this.#failNext = n;
	}

	get url(): string {
		return `smtp://tester:secret@127.0.0.1:${this.port}`;
	}

	async listen(): Promise<void> {
		this.#server = createServer((socket) => this.#session(socket));
		await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
		const addr = this.#server.address();
		this.port = typeof addr === 'object' && addr ? addr.port : 0;
	}

	async close(): Promise<void> {
		for (const s of this.#sockets) s.destroy();
		await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
	}

	#session(socket: Socket): void {
		this.#sockets.add(socket);
		socket.on('close', () => this.#sockets.delete(socket));
		socket.on('error', () => {});
		const say = (line: string) => socket.write(`${line}\r\n`);
		let buffer = '';
		let inData = false;
		let data: string[] = [];
		let from = '';
		let to: string[] = [];
		let auth: string | null = null;
		say('220 localhost ESMTP test');
		socket.on('data', (chunk: Buffer) => {
			buffer += chunk.toString('utf8');
			let i: number;
			while ((i = buffer.indexOf('\r\n')) >= 0) {
				const line = buffer.slice(0, i);
				buffer = buffer.slice(i + 2);
				if (inData) {
					if (line === '.') {
						inData = false;
						this.received.push({ from, to, data: data.join('\r\n'), auth });
						data = [];
						say('250 2.0.0 queued');
					} else data.push(line.startsWith('..') ? line.slice(1) : line);
					continue;
				}
				this.commands.push(line);
				const verb = line.split(' ')[0]!.toUpperCase();
				if (verb === 'EHLO') {
					socket.write('250-localhost\r\n250-AUTH PLAIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
				} else if (verb === 'HELO') say('250 localhost');
				else if (verb === 'AUTH') {
					auth = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8').split('\0').slice(1).join(':');
					say('235 2.7.0 authenticated');
				} else if (verb === 'MAIL') {
					if (this.#failNext > 0) {
						this.#failNext--;
						say('451 4.3.0 try again later');
						continue;
					}
					from = /<([^>]*)>/.exec(line)?.[1] ?? '';
					to = [];
					say('250 2.1.0 ok');
				} else if (verb === 'RCPT') {
					to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
					say('250 2.1.5 ok');
				} else if (verb === 'DATA') {
					inData = true;
					say('354 end with <CRLF>.<CRLF>');
				} else if (verb === 'RSET' || verb === 'NOOP') say('250 2.0.0 ok');
				else if (verb === 'QUIT') {
					say('221 2.0.0 bye');
					socket.end();
				} else say('502 5.5.2 not implemented');
			}
		});
	}
}
