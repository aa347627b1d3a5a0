import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmiInjectionError, formatAction, formatMessage } from './format';

describe('formatAction', () => {
	it('writes Key: value lines and a blank line, Action first', () => {
		expect(formatAction({ Action: 'Ping', ActionID: 'sb-1-1' })).toBe(
			'Action: Ping\r\nActionID: sb-1-1\r\n\r\n'
		);
		expect(formatAction({ ActionID: 'x', Action: 'Ping' })).toBe('Action: Ping\r\nActionID: x\r\n\r\n');
	});

	it('writes arrays as repeated keys, numbers and booleans as text, skips undefined', () => {
		expect(
			formatAction({
				Action: 'Originate',
				Channel: 'PJSIP/1001',
				Timeout: 30000,
				Async: true,
				Early: false,
				CallerID: undefined,
				Variable: ['SB_CALL=1f2e', 'SB_LEAD=42']
			})
		).toBe(
			'Action: Originate\r\nChannel: PJSIP/1001\r\nTimeout: 30000\r\nAsync: true\r\nEarly: false\r\nVariable: SB_CALL=1f2e\r\nVariable: SB_LEAD=42\r\n\r\n'
		);
		expect(formatAction({ Action: 'X', Variable: [] })).toBe('Action: X\r\n\r\n');
	});

	it('keeps UTF-8 and colons in values', () => {
		expect(formatAction({ Action: 'Setvar', Value: 'Jürgen: 電話' })).toBe(
			'Action: Setvar\r\nValue: Jürgen: 電話\r\n\r\n'
		);
	});

	it('needs an Action', () => {
		expect(() => formatAction({ Channel: 'x' })).toThrow(TypeError);
		expect(() => formatAction({ Action: '' })).toThrow(TypeError);
	});

	it('refuses CR, LF, tab, NUL, DEL in any value, naming the key and not echoing the value', () => {
		for (const bad of ['a\r\nAction: Hangup', 'a\nb', 'a\rb', 'a\tb', 'a\u0000b', 'a\u007fb', '\u001b[31m']) {
			let err: unknown;
			try {
				formatAction({ Action: 'Originate', CallerID: bad });
			} catch (e) {
				err = e;
			}
			expect(err).toBeInstanceOf(AmiInjectionError);
			expect((err as AmiInjectionError).key).toBe('CallerID');
			expect((err as Error).message).not.toContain(bad);
		}
		expect(() => formatAction({ Action: 'Originate', Variable: ['ok=1', 'x=\r\nAction: Hangup'] })).toThrow(
			AmiInjectionError
		);
		expect(() => formatAction({ Action: 'Ping\r\nAction: Hangup' })).toThrow(AmiInjectionError);
	});

	it('refuses bad keys: empty, colon, space, control characters', () => {
		for (const key of ['', 'A:B', 'A B', 'A\r\nB', 'A\tB']) {
			expect(() => formatAction({ Action: 'Ping', [key]: 'x' }), JSON.stringify(key)).toThrow(
				AmiInjectionError
			);
		}
	});

	it('refuses non-finite numbers', () => {
		expect(() => formatAction({ Action: 'X', Timeout: Number.NaN })).toThrow(TypeError);
	});

	it('property: any refused string has a control character, any accepted one round-trips on one line', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (v) => {
				// eslint-disable-next-line no-control-regex
				const hasControl = /[\x00-\x1f\x7f]/.test(v);
				if (hasControl) {
					expect(() => formatMessage({ K: v })).toThrow(AmiInjectionError);
				} else {
					const out = formatMessage({ K: v });
					expect(out).toBe(`K: ${v}\r\n\r\n`);
					expect(out.split('\r\n')).toHaveLength(3);
				}
			}),
			{ numRuns: 500, seed: 3 }
		);
	});
});

describe('formatMessage (server side)', () => {
	it('formats responses and events in insertion order', () => {
		expect(formatMessage({ Response: 'Success', ActionID: 'a', Ping: 'Pong', Timestamp: '1.2' })).toBe(
			'Response: Success\r\nActionID: a\r\nPing: Pong\r\nTimestamp: 1.2\r\n\r\n'
		);
		expect(
			formatMessage({ Response: 'Success', Message: 'Command output follows', Output: ['a', '   b'] })
		).toBe('Response: Success\r\nMessage: Command output follows\r\nOutput: a\r\nOutput:    b\r\n\r\n');
	});

	it('also refuses injection', () => {
		expect(() => formatMessage({ Event: 'Newchannel', CallerIDName: 'x\r\n\r\nEvent: Fake' })).toThrow(
			AmiInjectionError
		);
	});
});
