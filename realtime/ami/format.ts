/**
 * Serialises AMI actions (client → Asterisk) and messages (server side: the simulator's responses
 * and events) as `Key: value\r\n…\r\n`.
 *
 * Nothing user-controlled may reach an AMI header unchecked (DESIGN.md §4): every key and value is
 * refused with AmiInjectionError when it holds CR, LF or any other control character (0x00–0x1f,
 * tab included, and 0x7f). Keys must also be non-empty and free of `:` and spaces, or the receiver
 * would split the line differently than we meant.
 */

export type AmiFieldValue = string | number | boolean | string[] | undefined;
export type AmiFields = Record<string, AmiFieldValue>;

/** A key or value would break AMI framing (header injection). Thrown before anything is written. */
export class AmiInjectionError extends Error {
	override name = 'AmiInjectionError';
	/** the offending key (the value itself is never put in the message: it may be a secret) */
	readonly key: string;
	constructor(key: string, what: 'key' | 'value') {
		super(
			what === 'key'
				? `AMI header name ${JSON.stringify(key)} is not allowed (empty, or holds ':', space or a control character)`
				: `AMI header ${JSON.stringify(key)} has a value with CR/LF or another control character; refused`
		);
		this.key = key;
	}
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const BAD_KEY = /[\x00-\x20\x7f:]/;

function checkValue(key: string, value: string): string {
	if (CONTROL.test(value)) throw new AmiInjectionError(key, 'value');
	return value;
}

function valueText(key: string, value: string | number | boolean): string {
	if (typeof value === 'string') return checkValue(key, value);
	if (typeof value === 'number') {
		if (!Number.isFinite(value))
			throw new TypeError(`AMI header ${JSON.stringify(key)}: number ${value} is not finite`);
		return String(value);
	}
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	throw new TypeError(`AMI header ${JSON.stringify(key)}: unsupported value type ${typeof value}`);
}

/**
 * Server-side (or generic) message: every defined field in insertion order, arrays as repeated
 * keys, `undefined` skipped, closed by a blank line.
 */
export function formatMessage(fields: AmiFields): string {
	let out = '';
	for (const key of Object.keys(fields)) {
		const value = fields[key];
		if (value === undefined) continue;
		if (key === '' || BAD_KEY.test(key)) throw new AmiInjectionError(key, 'key');
		if (Array.isArray(value)) {
			for (const v of value) out += `${key}: ${valueText(key, v)}\r\n`;
		} else {
			out += `${key}: ${valueText(key, value)}\r\n`;
		}
	}
	return out + '\r\n';
}

/**
 * Client action: like formatMessage, but the first header must be `Action` (Asterisk reads the
 * action name from any position, but every other AMI client and our simulator expect it first).
 */
export function formatAction(fields: AmiFields): string {
	const keys = Object.keys(fields);
	const actionKey = keys.find((k) => k.toLowerCase() === 'action');
	const action = actionKey === undefined ? undefined : fields[actionKey];
	if (actionKey === undefined || typeof action !== 'string' || action === '') {
		throw new TypeError('AMI action needs a non-empty string "Action" field');
	}
	if (keys[0] === actionKey) return formatMessage(fields);
	const ordered: AmiFields = { [actionKey]: action };
	for (const k of keys) if (k !== actionKey) ordered[k] = fields[k];
	return formatMessage(ordered);
}
