/**
 * AMI link configuration from the environment:
 *
 *   AMI_URL=ami://user:secret@host:5038?name=office,ami://user2:s%40cret@10.0.0.2?events=call,agent
 *
 * - Entries are separated by a comma that is followed by `ami://` (so `events=call,agent` keeps its
 *   commas); whitespace and newlines around entries are ignored.
 * - User and secret are URL-decoded (`%40` = `@`, `%2C` = `,`). Both are required.
 * - Port defaults to 5038. `name` defaults to the host and must be unique across entries.
 * - Query parameters: `name`, `events` (the `Events:` mask sent at Login, e.g. `call,agent`; default
 *   `on`). Unknown parameters are rejected so a typo does not silently change nothing.
 * - Errors and redactAmiUrl() never contain the secret.
 */

export interface AmiLinkConfig {
	name: string;
	host: string;
	port: number;
	username: string;
	secret: string;
	/** Events mask for Login (`on`, `off`, `call,agent`, …) when given in the URL */
	events?: string;
}

export const DEFAULT_AMI_PORT = 5038;
const KNOWN_PARAMS = new Set(['name', 'events']);
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const EVENTS_RE = /^[A-Za-z0-9_,]+$/;

/** Thrown for an invalid AMI_URL; the message names the entry (redacted) and never holds a secret. */
export class AmiUrlError extends Error {
	override name = 'AmiUrlError';
}

/** Split an AMI_URL list into entries (comma followed by a scheme). */
export function splitAmiUrls(env: string): string[] {
	return env
		.split(/,(?=\s*[A-Za-z][A-Za-z0-9+.-]*:\/\/)/)
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

function decode(part: string, what: string, entry: string): string {
	try {
		return decodeURIComponent(part);
	} catch {
		throw new AmiUrlError(`AMI_URL ${redactAmiUrl(entry)}: ${what} is not valid URL encoding`);
	}
}

function parseOne(entry: string, index: number): AmiLinkConfig {
	const where = `AMI_URL entry ${index + 1} (${redactAmiUrl(entry)})`;
	let url: URL;
	try {
		url = new URL(entry);
	} catch {
		throw new AmiUrlError(`${where}: not a valid URL (expected ami://user:secret@host:5038?name=…)`);
	}
	if (url.protocol !== 'ami:') throw new AmiUrlError(`${where}: scheme must be ami://`);
	let host = url.hostname;
	if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
	if (host === '') throw new AmiUrlError(`${where}: host is missing`);
	if ((url.pathname !== '' && url.pathname !== '/') || url.hash !== '') {
		throw new AmiUrlError(`${where}: unexpected path or fragment`);
	}
	const port = url.port === '' ? DEFAULT_AMI_PORT : Number(url.port);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AmiUrlError(`${where}: bad port`);
	const username = decode(url.username, 'user', entry);
	const secret = decode(url.password, 'secret', entry);
	if (username === '') throw new AmiUrlError(`${where}: user is missing`);
	if (secret === '') throw new AmiUrlError(`${where}: secret is missing`);
	// eslint-disable-next-line no-control-regex
	if (/[\x00-\x1f\x7f]/.test(username + secret)) {
		throw new AmiUrlError(`${where}: user or secret holds a control character`);
	}
	for (const key of url.searchParams.keys()) {
		if (!KNOWN_PARAMS.has(key)) {
			throw new AmiUrlError(`${where}: unknown parameter "${key}" (known: ${[...KNOWN_PARAMS].join(', ')})`);
		}
	}
	const name = url.searchParams.get('name') ?? host;
	if (!NAME_RE.test(name)) {
		throw new AmiUrlError(`${where}: name "${name}" must be 1-63 of [A-Za-z0-9_.-], starting alphanumeric`);
	}
	const config: AmiLinkConfig = { name, host, port, username, secret };
	const events = url.searchParams.get('events');
	if (events !== null) {
		if (!EVENTS_RE.test(events))
			throw new AmiUrlError(`${where}: events must look like "on", "off" or "call,agent"`);
		config.events = events;
	}
	return config;
}

/** Parse AMI_URL (one or more comma-separated ami:// URLs). Empty input gives []. */
export function parseAmiUrls(env: string): AmiLinkConfig[] {
	const entries = splitAmiUrls(env);
	const configs = entries.map((e, i) => parseOne(e, i));
	const seen = new Map<string, number>();
	configs.forEach((c, i) => {
		const prev = seen.get(c.name);
		if (prev !== undefined) {
			throw new AmiUrlError(
				`AMI_URL: duplicate link name "${c.name}" (entries ${prev + 1} and ${i + 1}); add ?name=… to tell them apart`
			);
		}
		seen.set(c.name, i);
	});
	return configs;
}

function redactOne(entry: string): string {
	const scheme = entry.indexOf('://');
	if (scheme === -1) return entry;
	const start = scheme + 3;
	// Up to the LAST '@' of the entry: a raw '@', '/' or '?' in a secret is still hidden (our
	// parameters never contain '@').
	const at = entry.lastIndexOf('@');
	if (at < start) return entry;
	const colon = entry.indexOf(':', start);
	if (colon === -1 || colon > at) return entry;
	return `${entry.slice(0, colon + 1)}***${entry.slice(at)}`;
}

/** An AMI URL (or AMI_URL list, or parsed config) safe to log: the secret becomes `***`. */
export function redactAmiUrl(url: string | AmiLinkConfig): string {
	if (typeof url !== 'string') {
		const host = url.host.includes(':') ? `[${url.host}]` : url.host;
		const q = new URLSearchParams({ name: url.name });
		if (url.events !== undefined) q.set('events', url.events);
		return `ami://${encodeURIComponent(url.username)}:***@${host}:${url.port}?${q.toString().replace(/%2C/g, ',')}`;
	}
	const parts = url.split(/(,(?=\s*[A-Za-z][A-Za-z0-9+.-]*:\/\/))/);
	return parts.map((p) => (p.startsWith(',') ? p : redactOne(p))).join('');
}
