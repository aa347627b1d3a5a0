/**
 * RFC 5545 invitations (METHOD:REQUEST): one VEVENT, times in UTC (`…Z`, so no VTIMEZONE is
 * needed and every calendar shows the meeting at the same instant), text values escaped
 * (§3.3.11) and lines folded at 75 octets (§3.1) without splitting a UTF-8 character.
 */

export interface Invitation {
	/** globally unique and stable for the meeting: a re-sent invitation updates the same event */
	uid: string;
	/** when this invitation was made */
	stamp: Date;
	start: Date;
	end: Date;
	summary: string;
	description?: string | null;
	location?: string | null;
	organizer: { email: string; name?: string | null };
	attendees: { email: string; name?: string | null }[];
	/** increases when the event changes */
	sequence?: number;
}

/** TEXT value escaping: backslash, semicolon, comma, and line breaks as `\n`. */
export function escapeText(value: string): string {
	return value
		.replace(/\\/g, '\\\\')
		.replace(/;/g, '\\;')
		.replace(/,/g, '\\,')
		.replace(/\r\n|\r|\n/g, '\\n');
}

/** Drops control characters and the characters in `also`: user text never breaks a content line. */
function strip(value: string, also: string): string {
	return [...value].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && !also.includes(c)).join('');
}

/** A parameter value (CN=…): quoted, and the characters a quoted value cannot hold removed. */
function paramValue(value: string): string {
	return `"${strip(value, '"')}"`;
}

/** An e-mail address as a mailto: URI; control characters never reach the file. */
function mailto(email: string): string {
	return `mailto:${strip(email, ' ;:,"')}`;
}

export function utcStamp(at: Date): string {
	return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const encoder = new TextEncoder();

/** Folds one content line: at most 75 octets per physical line, continuation lines start with a space. */
export function foldLine(line: string): string {
	if (encoder.encode(line).length <= 75) return line;
	const parts: string[] = [];
	let current = '';
	let size = 0;
	let limit = 75;
	for (const ch of line) {
		const n = encoder.encode(ch).length;
		if (size + n > limit) {
			parts.push(current);
			current = '';
			size = 0;
			limit = 74; // the leading space of a continuation line is one of its 75 octets
		}
		current += ch;
		size += n;
	}
	parts.push(current);
	return parts.join('\r\n ');
}

export function buildInvitation(inv: Invitation): string {
	const person = (p: { email: string; name?: string | null }) => (p.name ? `;CN=${paramValue(p.name)}` : '');
	const lines = [
		'BEGIN:VCALENDAR',
		'VERSION:2.0',
		'PRODID:-//Switchboard//Meetings//EN',
		'CALSCALE:GREGORIAN',
		'METHOD:REQUEST',
		'BEGIN:VEVENT',
		`UID:${escapeText(inv.uid)}`,
		`DTSTAMP:${utcStamp(inv.stamp)}`,
		`DTSTART:${utcStamp(inv.start)}`,
		`DTEND:${utcStamp(inv.end)}`,
		`SEQUENCE:${inv.sequence ?? 0}`,
		`SUMMARY:${escapeText(inv.summary)}`,
		...(inv.description ? [`DESCRIPTION:${escapeText(inv.description)}`] : []),
		...(inv.location ? [`LOCATION:${escapeText(inv.location)}`] : []),
		`ORGANIZER${person(inv.organizer)}:${mailto(inv.organizer.email)}`,
		...inv.attendees.map((a) => `ATTENDEE${person(a)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${mailto(a.email)}`),
		'STATUS:CONFIRMED',
		'END:VEVENT',
		'END:VCALENDAR'
	];
	return lines.map(foldLine).join('\r\n') + '\r\n';
}
