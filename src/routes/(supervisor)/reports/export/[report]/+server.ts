import { error } from '@sveltejs/kit';
import { audit } from '$lib/server/audit';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { tableCsv, tableXlsx } from '$lib/server/reports/export';
import { reportContext } from '$lib/server/reports/route';
import { BadReportInput, isReportName, reportTable } from '$lib/server/reports/tables';
import { tableLabels } from '$lib/reports/labels';
import type { RequestHandler } from './$types';

/** A report's table as CSV or XLSX, with the page's filters; every export is audited. */
export const GET: RequestHandler = async (event) => {
	// the role first: an endpoint is not behind the group's layout guard
	requireUser(event, 'supervisor');
	const name = event.params.report;
	if (!isReportName(name)) error(404, { message: 'There is no such report.' });
	const format = event.url.searchParams.get('format') ?? 'csv';
	if (format !== 'csv' && format !== 'xlsx') error(400, { message: 'The export format must be csv or xlsx.' });
	const ctx = await reportContext(event);
	let table;
	try {
		table = await reportTable(ctx, name, event.url.searchParams);
	} catch (err) {
		if (err instanceof BadReportInput) error(400, { message: err.message });
		throw err;
	}
	await audit(ctx.db, {
		actorId: ctx.viewer.id,
		action: 'export',
		target: `report:${name}`,
		details: { format, rows: table.rows.length, filters: Object.fromEntries(event.url.searchParams) },
		ip: clientIp(event)
	});
	const labels = tableLabels(table);
	const file = `${name}-${ctx.scope.filters.from}-${ctx.scope.filters.to}.${format}`;
	const headers = {
		'content-disposition': `attachment; filename="${file}"`,
		'cache-control': 'private, no-store'
	};
	if (format === 'csv') return new Response(tableCsv(table, labels), { headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' } });
	return new Response(new Uint8Array(await tableXlsx(table, labels, name)), {
		headers: { ...headers, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }
	});
};
