import { getServices } from '$lib/server/app';
import { requireUser } from '$lib/server/auth/guard';
import { listOutbox } from '$lib/server/mail/list';
import { renderScript } from '$lib/projects/script';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const user = requireUser(event);
	const { database, config } = await getServices();
	const rows = await listOutbox(database.db, user);
	return {
		smtp: !!config.SMTP_URL,
		letters: rows.map(({ body, calendar, attachments, ...r }) => ({
			...r,
			createdAt: r.createdAt.toISOString(),
			sentAt: r.sentAt?.toISOString() ?? null,
			nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
			// the HTML part exactly as the mailer renders it (raw HTML and unsafe links neutralised)
			html: renderScript(body),
			hasCalendar: calendar !== null,
			attachments: attachments.map((a) => a.name)
		}))
	};
};
