import { describe, expect, it } from 'vitest';
import { buildInvitation, escapeText, foldLine, utcStamp } from './ics';

describe('RFC 5545 invitations', () => {
	it('escapes backslash, semicolon, comma and line breaks in text values', () => {
		expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
	});

	it('writes UTC times with a Z', () => {
		expect(utcStamp(new Date('2026-03-29T07:05:09.123Z'))).toBe('20260329T070509Z');
	});

	it('folds long lines at 75 octets without splitting a UTF-8 character', () => {
		const line = `SUMMARY:${'é'.repeat(60)}`;
		const folded = foldLine(line);
		const physical = folded.split('\r\n');
		expect(physical.length).toBeGreaterThan(1);
		for (const p of physical) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
		expect(physical.slice(1).every((p) => p.startsWith(' '))).toBe(true);
		expect(physical.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
		expect(foldLine('SHORT:x')).toBe('SHORT:x');
	});

	it('builds one VEVENT with UID, DTSTAMP, UTC start/end, organizer and attendees, CRLF endings', () => {
		const ics = buildInvitation({
			uid: 'm-1@switchboard',
			stamp: new Date('2026-11-25T10:00:00Z'),
			start: new Date('2026-11-27T14:00:00Z'),
			end: new Date('2026-11-27T15:00:00Z'),
			summary: 'Meeting with Dupont, Fils; et Cie',
			description: 'Line one\nLine two',
			location: 'Paris, 3rd floor',
			organizer: { email: 'dan@example.test', name: 'Dan "The" Director' },
			attendees: [{ email: 'dan@example.test', name: 'Dan' }, { email: 'client@example.test' }]
		});
		expect(ics.endsWith('\r\n')).toBe(true);
		expect(ics.replace(/\r\n/g, '')).not.toMatch(/\n/);
		const lines = ics.replace(/\r\n /g, '').split('\r\n');
		expect(lines).toContain('METHOD:REQUEST');
		expect(lines).toContain('UID:m-1@switchboard');
		expect(lines).toContain('DTSTAMP:20261125T100000Z');
		expect(lines).toContain('DTSTART:20261127T140000Z');
		expect(lines).toContain('DTEND:20261127T150000Z');
		expect(lines).toContain('SUMMARY:Meeting with Dupont\\, Fils\\; et Cie');
		expect(lines).toContain('DESCRIPTION:Line one\\nLine two');
		expect(lines).toContain('LOCATION:Paris\\, 3rd floor');
		expect(lines).toContain('ORGANIZER;CN="Dan The Director":mailto:dan@example.test');
		expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toHaveLength(2);
		expect(lines.indexOf('BEGIN:VEVENT')).toBeLessThan(lines.indexOf('END:VEVENT'));
	});
});
