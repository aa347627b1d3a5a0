import { error, fail, redirect } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { imports } from '$lib/server/db/schema';
import { LEAD_FIELDS, type LeadField } from '$lib/server/leads/columns';
import { ImportRefusedError } from '$lib/server/leads/errors';
import { cancelImport, getImport, saveImportSettings, type ImportRow } from '$lib/server/leads/imports';
import { isCountryCode } from '$lib/server/leads/normalize';
import { prepareFile, previewRows } from '$lib/server/leads/prepare';
import { cancelRun, isRunning, runProgress, startRun } from '$lib/server/leads/runs';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function loadImport(event: Pick<RequestEvent, 'params'>): Promise<ImportRow> {
	const { database } = await getServices();
	const row = await getImport(database.db, event.params.id, event.params.importId);
	if (!row) error(404, { message: 'No such import.' });
	return row;
}

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'manager');
	event.depends('import:state');
	const row = await loadImport(event);
	const running = row.status === 'running' && isRunning(row.id);
	const phase: 'setup' | 'running' | 'interrupted' | 'finished' = running
		? 'running'
		: row.status === 'running'
			? 'interrupted'
			: row.status === 'done' || row.status === 'cancelled'
				? 'finished'
				: 'setup';
	let preview = null;
	let previewError: { code: string; message: string } | null = null;
	if ((phase === 'setup' || phase === 'interrupted') && row.filePath) {
		try {
			// the first rows only: the encoding was settled over the whole file at upload
			const file = await prepareFile(row.filePath, { headerRow: row.headerRow, mapping: row.mapping, encoding: row.encoding });
			const region = row.region && isCountryCode(row.region) ? row.region : 'US';
			const rows = previewRows(file, region, 50);
			const { count: dataRows, exact: dataRowsExact } = await file.dataRows().finally(() => file.close());
			preview = {
				header: file.header,
				mapping: file.mapping,
				headerRow: file.headerRow,
				top: file.top.map((r) => ({ line: r.line, text: r.cells.filter((c) => c.trim()).join(' · ').slice(0, 80) })),
				dataRows,
				dataRowsExact,
				rows: rows.map((r) => ({
					line: r.line,
					valid: r.valid,
					fields: r.fields,
					phones: r.phones.map((p) => (p.ext ? `${p.e164} ext. ${p.ext}` : p.e164)),
					emails: r.emails,
					problems: r.problems.map((p) => ({ code: p.code, column: p.column, value: p.value, fatal: p.fatal }))
				}))
			};
		} catch (e) {
			if (!(e instanceof ImportRefusedError)) throw e;
			previewError = { code: e.code, message: e.message };
		}
	}
	return {
		imp: {
			id: row.id,
			fileName: row.fileName,
			status: row.status,
			format: row.format,
			encoding: row.encoding,
			delimiter: row.delimiter,
			headerRow: row.headerRow,
			region: row.region ?? '',
			total: row.total,
			created: row.created,
			merged: row.merged,
			duplicate: row.duplicate,
			invalid: row.invalid,
			error: row.error,
			hasReport: !!row.errorReportPath
		},
		phase,
		progress: running ? runProgress(row.id) : null,
		preview,
		previewError,
		fields: LEAD_FIELDS
	};
};

/** Applies the wizard's overrides (header row, region, column mapping); a new header row re-maps automatically. */
async function applySettings(event: RequestEvent, row: ImportRow): Promise<{ errors: Record<string, string> } | null> {
	const { database } = await getServices();
	const form = await event.request.formData();
	const region = String(form.get('region') ?? '').trim().toUpperCase();
	if (!isCountryCode(region)) return { errors: { region: 'expected a two-letter country code such as FR' } };
	const headerRow = Number(form.get('headerRow') ?? row.headerRow ?? 1);
	const mapping: Record<string, LeadField> = {};
	for (const [key, value] of form.entries()) {
		const m = /^map_(\d+)$/.exec(key);
		if (m && (LEAD_FIELDS as readonly string[]).includes(String(value))) mapping[m[1]!] = value as LeadField;
	}
	const headerChanged = Number.isInteger(headerRow) && headerRow > 0 && headerRow !== row.headerRow;
	await saveImportSettings(database.db, row.id, {
		mapping: headerChanged ? null : Object.keys(mapping).length ? mapping : row.mapping,
		headerRow: headerChanged ? headerRow : (row.headerRow ?? 1),
		region
	});
	return null;
}

function canSetUp(row: ImportRow): boolean {
	return row.status !== 'done' && row.status !== 'cancelled' && !isRunning(row.id) && !!row.filePath;
}

export const actions: Actions = {
	apply: async (event) => {
		requireUser(event, 'manager');
		const row = await loadImport(event);
		if (!canSetUp(row)) return fail(409, { errors: { form: 'This import can no longer be changed.' } });
		const problem = await applySettings(event, row);
		if (problem) return fail(400, problem);
		return { applied: true };
	},
	run: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database, config, log } = await getServices();
		const row = await loadImport(event);
		if (!canSetUp(row)) return fail(409, { errors: { form: 'This import can no longer be started.' } });
		const problem = await applySettings(event, row);
		if (problem) return fail(400, problem);
		const saved = (await getImport(database.db, event.params.id, row.id))!;
		const ip = clientIp(event);
		// an interrupted import continues after its last committed batch; any other starts afresh
		const resume = row.status === 'running';
		await database.db.update(imports).set({ status: 'running', error: null }).where(eq(imports.id, row.id));
		startRun(
			database.db,
			saved.filePath!,
			{
				importId: row.id,
				fileName: row.fileName,
				projectId: row.projectId,
				mapping: saved.mapping,
				headerRow: saved.headerRow,
				region: saved.region ?? 'US',
				actorId: actor.id,
				dataDir: config.dataDir,
				resume
			},
			async (e) => {
				if (e && !(e instanceof ImportRefusedError)) log.error({ err: e, importId: row.id }, 'import failed');
				const after = await getImport(database.db, row.projectId, row.id);
				await audit(database.db, {
					actorId: actor.id,
					action: 'import.finished',
					target: row.id,
					details: after
						? { status: after.status, total: after.total, created: after.created, merged: after.merged, invalid: after.invalid, duplicate: after.duplicate }
						: {},
					ip
				}).catch(() => {});
			}
		);
		redirect(303, `/projects/${row.projectId}/imports/${row.id}`);
	},
	cancel: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database } = await getServices();
		const row = await loadImport(event);
		const cancelled = await cancelImport(database.db, row.id);
		cancelRun(row.id);
		if (cancelled)
			await audit(database.db, { actorId: actor.id, action: 'import.cancelled', target: row.id, details: { projectId: row.projectId, committedRows: row.total }, ip: clientIp(event) });
		return { cancelled };
	}
};
