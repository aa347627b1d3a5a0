/**
 * Where a letter goes when the outbox worker delivers it: over SMTP (nodemailer, `SMTP_URL`), or
 * — with no SMTP_URL — nowhere but the database outbox, where it is kept as `held` and shown on
 * /outbox. Both answer the same way, so the worker has one path.
 */
import nodemailer from 'nodemailer';

export interface OutgoingMail {
	from: string;
	to: string;
	subject: string;
	text: string;
	html: string;
	attachments: { filename: string; path: string; contentType: string }[];
	/** RFC 5545 text sent as the message's calendar part (text/calendar; method=REQUEST) */
	calendar: string | null;
}

export type Delivery = 'sent' | 'held';

export interface MailTransport {
	readonly kind: 'smtp' | 'outbox';
	deliver(mail: OutgoingMail): Promise<Delivery>;
	close(): void;
}

/** SMTP through nodemailer; `smtp://user:pass@host:587` or `smtps://…:465`. */
export function smtpTransport(url: string): MailTransport {
	const transporter = nodemailer.createTransport(url);
	return {
		kind: 'smtp',
		async deliver(mail) {
			await transporter.sendMail({
				from: mail.from,
				to: mail.to,
				subject: mail.subject,
				text: mail.text,
				html: mail.html,
				attachments: mail.attachments,
				...(mail.calendar ? { icalEvent: { method: 'REQUEST', filename: 'invite.ics', content: mail.calendar } } : {})
			});
			return 'sent';
		},
		close() {
			transporter.close();
		}
	};
}

/** No SMTP configured: the letter stays in the database outbox for a person to read and forward. */
export const holdTransport: MailTransport = {
	kind: 'outbox',
	async deliver() {
		return 'held';
	},
	close() {}
};

/** Error text safe for the database and logs: credentials in URLs are masked. */
export function safeError(err: unknown): string {
	const text = err instanceof Error ? err.message : String(err);
	return text.replace(/\/\/[^/@\s]+@/g, '//***@').slice(0, 500);
}
