import { error } from '@sveltejs/kit';
import { readFile } from 'node:fs/promises';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { getImport } from '$lib/server/leads/imports';
import type { RequestHandler } from './$types';

/** The import's error report (line, column, value, reason), for managers only; every download is audited as an export. */
export const GET: RequestHandler = async (event) => {
	const actor = requireUser(event, 'manager');
	const { database } = await getServices();
	const row = await getImport(database.db, event.params.id, event.params.importId);
	if (!row?.errorReportPath) error(404, { message: 'This import has no error report.' });
	let body: Buffer;
	try {
		body = await readFile(row.errorReportPath);
	} catch {
		error(404, { message: 'The error report file is missing.' });
	}
	await audit(database.db, {
		actorId: actor.id,
		action: 'export',
		target: row.id,
		details: { kind: 'import_error_report', fileName: row.fileName },
		ip: clientIp(event)
	});
	const name = `${row.fileName.replace(/\.[^.]+$/, '').replace(/[^\p{L}\p{N}._-]+/gu, '_')}-errors.csv`;
	return new Response(new Uint8Array(body), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="errors.csv"; filename*=UTF-8''${encodeURIComponent(name)}`,
			'cache-control': 'private, no-store'
		}
	});
};
