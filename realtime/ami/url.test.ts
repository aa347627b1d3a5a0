import { describe, expect, it } from 'vitest';
import { AmiUrlError, parseAmiUrls, redactAmiUrl, splitAmiUrls } from './url';

describe('parseAmiUrls', () => {
	it('parses one URL with defaults (port 5038, name = host)', () => {
		expect(parseAmiUrls('ami://cockpit:s3cret@pbx.local')).toEqual([
			{ name: 'pbx.local', host: 'pbx.local', port: 5038, username: 'cockpit', secret: 's3cret' }
		]);
	});

	it('parses a comma-separated list, URL-decodes user and secret, keeps events= commas', () => {
		const links = parseAmiUrls(
			' ami://user:secret@10.0.0.1:5039?name=office , ami://c%40ck:p%40ss%2Cw%3Ard@127.0.0.1?name=lab&events=call,agent\n'
		);
		expect(links).toEqual([
			{ name: 'office', host: '10.0.0.1', port: 5039, username: 'user', secret: 'secret' },
			{
				name: 'lab',
				host: '127.0.0.1',
				port: 5038,
				username: 'c@ck',
				secret: 'p@ss,w:rd',
				events: 'call,agent'
			}
		]);
	});

	it('accepts IPv6 hosts', () => {
		expect(parseAmiUrls('ami://u:p@[::1]:6000?name=lo6')[0]).toEqual({
			name: 'lo6',
			host: '::1',
			port: 6000,
			username: 'u',
			secret: 'p'
		});
	});

	it('returns [] for an empty variable', () => {
		expect(parseAmiUrls('')).toEqual([]);
		expect(parseAmiUrls('  ')).toEqual([]);
	});

	it('rejects duplicate names with a clear error', () => {
		expect(() => parseAmiUrls('ami://a:b@pbx,ami://c:d@pbx:5039')).toThrow(
			/duplicate link name "pbx" \(entries 1 and 2\)/
		);
		expect(() => parseAmiUrls('ami://a:b@h1?name=x,ami://c:d@h2?name=x')).toThrow(AmiUrlError);
	});

	it('rejects bad input without ever showing the secret', () => {
		const cases = [
			'http://u:topsecret@h',
			'ami://u:topsecret@h:99999',
			'ami://u:topsecret@h?nmae=x',
			'ami://:topsecret@h',
			'ami://u:topsecret@h/path',
			'ami://u:topsecret@h?events=call;rm',
			'ami://u:topsecret%ZZ@h',
			'ami://u:topsecret@h?name=bad name'
		];
		for (const c of cases) {
			let err: unknown;
			try {
				parseAmiUrls(c);
			} catch (e) {
				err = e;
			}
			expect(err, c).toBeInstanceOf(AmiUrlError);
			expect((err as Error).message).not.toContain('topsecret');
		}
		expect(() => parseAmiUrls('ami://u@h')).toThrow(/secret is missing/);
	});

	it('an IPv6 name needs ?name=', () => {
		expect(() => parseAmiUrls('ami://u:p@[::1]')).toThrow(AmiUrlError);
	});
});

describe('redactAmiUrl', () => {
	it('hides the secret of a URL, a list, and a parsed config', () => {
		expect(redactAmiUrl('ami://user:s3cret@host:5038?name=office')).toBe(
			'ami://user:***@host:5038?name=office'
		);
		expect(redactAmiUrl('ami://a:x@h1,ami://b:y@h2?events=call,agent')).toBe(
			'ami://a:***@h1,ami://b:***@h2?events=call,agent'
		);
		expect(redactAmiUrl('ami://a:p@ss/w?rd@h')).toBe('ami://a:***@h');
		expect(redactAmiUrl('ami://host-only:5038')).toBe('ami://host-only:5038');
		const [cfg] = parseAmiUrls('ami://c%40ck:topsecret@10.0.0.2?name=lab&events=call,agent');
		expect(cfg).toBeDefined();
		if (cfg !== undefined) {
			const red = redactAmiUrl(cfg);
			expect(red).toBe('ami://c%40ck:***@10.0.0.2:5038?name=lab&events=call,agent');
			expect(red).not.toContain('topsecret');
		}
	});

	it('splitAmiUrls splits only before a scheme', () => {
		expect(splitAmiUrls('ami://a:b@h?events=call,agent,ami://c:d@i')).toEqual([
			'ami://a:b@h?events=call,agent',
			'ami://c:d@i'
		]);
	});
});
