/**
 * Incremental AMI (Asterisk Manager Interface) stream parser.
 *
 * Framing: a message is a run of `Key: value` header lines closed by a blank line. Lines end in
 * `\r\n`; a bare `\n` is tolerated, and a line holding only `\r` counts as blank. On the client side
 * the stream starts with one banner line (`Asterisk Call Manager/11.0.0`) that has no blank line
 * after it.
 *
 * Decisions (see DESIGN.md §4):
 * - Bytes are decoded as UTF-8 (default) or latin1, once per run of *complete* messages, so a
 *   multi-byte character split across TCP chunks is always decoded whole. Invalid UTF-8 becomes
 *   U+FFFD; pass `encoding: 'latin1'` to keep bytes 1:1.
 * - Keys are kept exactly as sent (case preserved). The value is everything after the first `:`,
 *   minus exactly one leading space (command output keeps its indentation, trailing spaces kept).
 * - A repeated key (`Output:`, `ChanVariable:`, `Variable:`) keeps every value in order as string[].
 * - A non-blank line without a colon is kept under the key `''` (old `Response: Follows` output).
 * - Messages are null-prototype objects: a header named `__proto__` or `constructor` is just data.
 * - Incremental: each byte is scanned a bounded number of times. A chunk is searched natively for
 *   the last blank line; only the bytes up to it are decoded and split, the tail is carried over.
 */

export type AmiValue = string | string[];
/** One AMI message; keys exactly as sent (case preserved); a repeated key keeps every value in order as string[]. */
export type AmiMessage = Record<string, AmiValue>;

export interface AmiParserOptions {
	/** default true: client side (first line is the banner); false: server side parsing actions */
	expectBanner?: boolean;
	/** default 'utf8' */
	encoding?: 'utf8' | 'latin1';
	/** a message (or banner) larger than this throws AmiProtocolError; default 16 MiB */
	maxMessageBytes?: number;
	/**
	 * Early event filter: a message whose first header is `Event: <name>` is skipped without building
	 * an object when this returns false. Can also be changed later through the `eventFilter` property.
	 */
	eventFilter?: ((eventName: string) => boolean) | null;
}

/** The stream cannot be AMI (oversized message without a blank line, oversized banner). */
export class AmiProtocolError extends Error {
	override name = 'AmiProtocolError';
}

const LF = 0x0a;
const CR = 0x0d;
const NL_NL = Buffer.from('\n\n', 'latin1');
const NL_CR_NL = Buffer.from('\n\r\n', 'latin1');

export class AmiParser {
	/** Early drop of events by name (see AmiParserOptions.eventFilter). */
	eventFilter: ((eventName: string) => boolean) | null;

	readonly #expectBanner: boolean;
	readonly #encoding: 'utf8' | 'latin1';
	readonly #max: number;

	#banner: string | null = null;
	/** still looking for the first line (banner) */
	#inBanner: boolean;
	/** bytes of the pending, incomplete message (or banner), in order */
	#carry: Buffer[] = [];
	#carryLen = 0;
	/** last two bytes of the stream seen so far (-1 = none), to find blank lines that straddle chunks */
	#prev1 = -1;
	#prev2 = -1;

	constructor(opts: AmiParserOptions = {}) {
		this.#expectBanner = opts.expectBanner ?? true;
		this.#inBanner = this.#expectBanner;
		this.#encoding = opts.encoding ?? 'utf8';
		this.#max = opts.maxMessageBytes ?? 16 * 1024 * 1024;
		this.eventFilter = opts.eventFilter ?? null;
	}

	/** banner line without CRLF once seen (e.g. 'Asterisk Call Manager/11.0.0'), else null */
	get banner(): string | null {
		return this.#banner;
	}

	/** Bytes held back waiting for the end of a message. */
	get pendingBytes(): number {
		return this.#carryLen;
	}

	reset(): void {
		this.#banner = null;
		this.#inBanner = this.#expectBanner;
		this.#carry = [];
		this.#carryLen = 0;
		this.#prev1 = -1;
		this.#prev2 = -1;
	}

	/**
	 * Feed a chunk split anywhere (inside a header, between \r and \n); returns the complete messages
	 * it finished. A string chunk is encoded as UTF-8 first.
	 */
	push(chunk: Buffer | string): AmiMessage[] {
		let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
		const out: AmiMessage[] = [];
		if (buf.length === 0) return out;
		if (this.#inBanner) {
			const rest = this.#takeBanner(buf);
			if (rest === null) return out;
			buf = rest;
			if (buf.length === 0) return out;
		}
		const end = this.#lastBoundary(buf);
		this.#track(buf);
		if (end === -1) {
			this.#hold(buf);
			return out;
		}
		let text: string;
		if (this.#carryLen === 0) {
			text = buf.toString(this.#encoding, 0, end);
		} else {
			this.#carry.push(buf.subarray(0, end));
			text = Buffer.concat(this.#carry, this.#carryLen + end).toString(this.#encoding);
			this.#carry = [];
			this.#carryLen = 0;
		}
		this.#parseBlock(text, out);
		if (end < buf.length) this.#hold(buf.subarray(end));
		return out;
	}

	/** Keep `part` (the start of an incomplete message) for later; copies so the caller's chunk can be freed. */
	#hold(part: Buffer): void {
		this.#carryLen += part.length;
		if (this.#carryLen > this.#max) {
			this.#carry = [];
			this.#carryLen = 0;
			throw new AmiProtocolError(`AMI message larger than ${this.#max} bytes without a blank line`);
		}
		this.#carry.push(Buffer.from(part));
	}

	/** Remember the last two bytes of the stream (after `buf`). */
	#track(buf: Buffer): void {
		const n = buf.length;
		if (n >= 2) {
			this.#prev2 = buf[n - 2] ?? -1;
			this.#prev1 = buf[n - 1] ?? -1;
		} else if (n === 1) {
			this.#prev2 = this.#prev1;
			this.#prev1 = buf[0] ?? -1;
		}
	}

	/**
	 * Offset just past the last blank line ending in `buf` (considering the carried bytes before it),
	 * or -1. A blank line is `\n\n` or `\n\r\n`; every occurrence of either is one, so a native
	 * reverse search finds it without walking the lines.
	 */
	#lastBoundary(buf: Buffer): number {
		const a = buf.lastIndexOf(NL_CR_NL);
		const b = buf.lastIndexOf(NL_NL);
		const end = Math.max(a === -1 ? -1 : a + 3, b === -1 ? -1 : b + 2);
		if (end !== -1) return end;
		// Patterns that straddle the previous chunk: they end at buf[0] or buf[1].
		const b0 = buf[0];
		const b1 = buf.length > 1 ? buf[1] : -1;
		const p1 = this.#prev1;
		const p2 = this.#prev2;
		if (b1 === LF) {
			// ..\n | \n  handled inside buf only when buf[0]==\n (found above); here: \n | \r \n
			if (b0 === CR && p1 === LF) return 2;
		}
		if (b0 === LF) {
			if (p1 === LF) return 1; // \n | \n
			if (p1 === CR && p2 === LF) return 1; // \n \r | \n
		}
		return -1;
	}

	/** Consume the banner line; returns the bytes after it, or null when the line is not complete yet. */
	#takeBanner(buf: Buffer): Buffer | null {
		const nl = buf.indexOf(LF);
		if (nl === -1) {
			this.#carryLen += buf.length;
			if (this.#carryLen > 4096) {
				// Not a banner (no line end in 4 KiB): parse it as messages instead.
				this.#inBanner = false;
				const all = Buffer.concat(this.#carry.concat(buf));
				this.#carry = [];
				this.#carryLen = 0;
				this.#prev1 = this.#prev2 = -1;
				return all;
			}
			this.#carry.push(Buffer.from(buf));
			return null;
		}
		this.#inBanner = false;
		const carried = this.#carryLen !== 0;
		const line = carried ? Buffer.concat([...this.#carry, buf.subarray(0, nl + 1)]) : buf.subarray(0, nl + 1);
		this.#carry = [];
		this.#carryLen = 0;
		let text = line.toString(this.#encoding, 0, line.length - 1);
		if (text.endsWith('\r')) text = text.slice(0, -1);
		if (text.includes(':')) {
			// Not a banner but a header line: parse everything as messages.
			return carried ? Buffer.concat([line, buf.subarray(nl + 1)]) : buf;
		}
		this.#banner = text;
		return buf.subarray(nl + 1);
	}

	/** Split a decoded run of complete messages (ends at a blank line) into message objects. */
	#parseBlock(s: string, out: AmiMessage[]): void {
		const n = s.length;
		const filter = this.eventFilter;
		let pos = 0;
		let msg: AmiMessage | null = null;
		while (pos < n) {
			let nl = s.indexOf('\n', pos);
			if (nl === -1) nl = n;
			let end = nl;
			if (end > pos && s.charCodeAt(end - 1) === CR) end--;
			if (end === pos) {
				if (msg !== null) {
					out.push(msg);
					msg = null;
				}
				pos = nl + 1;
				continue;
			}
			const colon = s.indexOf(':', pos);
			let key: string;
			let value: string;
			if (colon === -1 || colon > end) {
				key = '';
				value = s.slice(pos, end);
			} else {
				key = s.slice(pos, colon);
				let vs = colon + 1;
				if (vs < end && s.charCodeAt(vs) === 32) vs++;
				value = s.slice(vs, end);
			}
			pos = nl + 1;
			if (msg === null) {
				if (filter !== null && key === 'Event' && !filter(value)) {
					pos = skipMessage(s, pos);
					continue;
				}
				msg = Object.create(null) as AmiMessage;
				msg[key] = value;
				continue;
			}
			const prev = msg[key];
			if (prev === undefined) msg[key] = value;
			else if (typeof prev === 'string') msg[key] = [prev, value];
			else prev.push(value);
		}
		if (msg !== null) out.push(msg);
	}
}

/** Position just after the blank line that ends the message containing `pos` (a line start). */
function skipMessage(s: string, pos: number): number {
	const n = s.length;
	while (pos < n) {
		const nl = s.indexOf('\n', pos);
		if (nl === -1) return n;
		if (nl === pos || (nl === pos + 1 && s.charCodeAt(pos) === CR)) return nl + 1;
		pos = nl + 1;
	}
	return n;
}

/** First value of a key (case-sensitive), or undefined. */
export function first(msg: AmiMessage, key: string): string | undefined {
	const v: unknown = msg[key];
	if (typeof v === 'string') return v;
	return Array.isArray(v) ? (v[0] as string | undefined) : undefined;
}

/** Every value of a key in order ([] when absent). */
export function all(msg: AmiMessage, key: string): string[] {
	const v: unknown = msg[key];
	if (typeof v === 'string') return [v];
	return Array.isArray(v) ? (v.slice() as string[]) : [];
}
