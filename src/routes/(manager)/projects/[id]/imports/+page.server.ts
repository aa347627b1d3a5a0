import { fail, redirect } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { getServices } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientIp, requireUser } from '$lib/server/auth/guard';
import { imports } from '$lib/server/db/schema';
import { ImportRefusedError } from '$lib/server/leads/errors';
import { createImport } from '$lib/server/leads/import';
import { listImports } from '$lib/server/leads/imports';
import { MAX_FILE_BYTES, prepareFile } from '$lib/server/leads/prepare';
import { storeUpload, uploadPath } from '$lib/server/leads/uploads';
import { getProject } from '$lib/server/projects';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	requireUser(event, 'manager');
	const { database } = await getServices();
	const rows = await listImports(database.db, event.params.id);
	return {
		imports: rows.map((r) => ({
			id: r.id,
			fileName: r.fileName,
			status: r.status,
			total: r.total,
			created: r.created,
			merged: r.merged,
			duplicate: r.duplicate,
			invalid: r.invalid,
			hasReport: !!r.errorReportPath,
			createdAt: r.createdAt.toISOString()
		}))
	};
};

export const actions: Actions = {
	upload: async (event) => {
		const actor = requireUser(event, 'manager');
		const { database, config } = await getServices();
		const project = await getProject(database.db, event.params.id);
		if (!project) return fail(404, { error: 'No such project.', code: 'not_found', fileName: '' });
		const file = (await event.request.formData()).get('file');
		if (!(file instanceof File) || file.name === '') return fail(400, { error: 'Choose a file to import.', code: 'no_file', fileName: '' });
		if (file.size > MAX_FILE_BYTES) return fail(413, { error: 'The file is larger than 200 MB.', code: 'too_large', fileName: file.name });
		const bytes = new Uint8Array(await file.arrayBuffer());
		let prepared;
		try {
			prepared = await prepareFile(bytes);
		} catch (e) {
			if (e instanceof ImportRefusedError) return fail(400, { error: e.message, code: e.code, fileName: file.name });
			throw e;
		}
		const fileName = file.name.slice(0, 255);
		const id = await createImport(database.db, { projectId: project.id, fileName, actorId: actor.id });
		const stored = uploadPath(config.dataDir, id, fileName);
		await storeUpload(stored, bytes);
		await database.db.transaction(async (tx) => {
			await tx
				.update(imports)
				.set({
					filePath: stored,
					format: prepared.format,
					encoding: prepared.encoding,
					delimiter: prepared.delimiter,
					headerRow: prepared.headerRow,
					mapping: prepared.mapping,
					region: project.defaultRegion
				})
				.where(eq(imports.id, id));
			await audit(tx, {
				actorId: actor.id,
				action: 'import.uploaded',
				target: id,
				details: { projectId: project.id, fileName, bytes: bytes.byteLength },
				ip: clientIp(event)
			});
		});
		redirect(303, `/projects/${project.id}/imports/${id}`);
	}
};
