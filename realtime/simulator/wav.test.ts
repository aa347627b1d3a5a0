import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, makeAgents } from './cli';
import { recordingPath, toneWav } from './wav';

describe('toneWav', () => {
	it('is a RIFF/WAVE PCM file with consistent sizes', () => {
		const w = toneWav({ seconds: 2 });
		expect(w.toString('ascii', 0, 4)).toBe('RIFF');
		expect(w.readUInt32LE(4)).toBe(w.length - 8);
		expect(w.toString('ascii', 8, 16)).toBe('WAVEfmt ');
		expect(w.readUInt32LE(16)).toBe(16);
		expect([
			w.readUInt16LE(20),
			w.readUInt16LE(22),
			w.readUInt32LE(24),
			w.readUInt32LE(28),
			w.readUInt16LE(32),
			w.readUInt16LE(34)
		]).toEqual([1, 1, 8000, 16000, 2, 16]);
		expect(w.toString('ascii', 36, 40)).toBe('data');
		expect(w.readUInt32LE(40)).toBe(32000);
		// not silence
		let peak = 0;
		for (let i = 44; i < w.length; i += 2) peak = Math.max(peak, Math.abs(w.readInt16LE(i)));
		expect(peak).toBeGreaterThan(1000);
	});
});

describe('recordingPath', () => {
	it('keeps every file under the recordings directory', () => {
		const dir = path.resolve('/srv/rec');
		expect(recordingPath(dir, 'a/b.wav')).toBe(path.join(dir, 'a', 'b.wav'));
		expect(recordingPath(dir, '/var/spool/asterisk/monitor/x.wav')).toBe(
			path.join(dir, 'var', 'spool', 'asterisk', 'monitor', 'x.wav')
		);
		expect(recordingPath(dir, '../../etc/passwd')).toBe(path.join(dir, 'etc', 'passwd'));
		expect(recordingPath(dir, '')).toBe(path.join(dir, 'recording.wav'));
	});
});

describe('cli', () => {
	it('parses options and generates agents PJSIP/1001…', () => {
		const o = parseCli([
			'--port',
			'5038',
			'--agents',
			'3',
			'--rate',
			'1000',
			'--seed',
			'7',
			'--user',
			'sim',
			'--secret',
			'pw',
			'--humans',
			'1002,PJSIP/1003'
		]);
		expect(o).toEqual({
			host: '127.0.0.1',
			port: 5038,
			agents: 3,
			rate: 1000,
			seed: 7,
			user: 'sim',
			secret: 'pw',
			generatedSecret: false,
			bots: true,
			humans: ['PJSIP/1002', 'PJSIP/1003'],
			recordings: undefined,
			earlyResponse: 0
		});
		const gen = parseCli(['--no-bots']);
		expect([gen.bots, gen.generatedSecret, gen.secret.length >= 12, gen.port, gen.agents]).toEqual([
			false,
			true,
			true,
			5038,
			50
		]);
		expect(() => parseCli(['--agents', 'many'])).toThrow(/--agents/);
		const agents = makeAgents(3);
		expect(agents.map((a) => [a.endpoint, a.extension])).toEqual([
			['PJSIP/1001', '1001'],
			['PJSIP/1002', '1002'],
			['PJSIP/1003', '1003']
		]);
		expect(new Set(makeAgents(50).map((a) => a.name)).size).toBe(50);
	});
});
