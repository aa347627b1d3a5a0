import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { error } from '@sveltejs/kit';
import { managerContext } from '$lib/server/leads/manager-context';
import { getProject } from '$lib/server/projects';
import { attachmentFile } from '$lib/server/projects/attachments';
import type { RequestHandler } from './$types';

/** Downloads one letter attachment: managers only, by its random id, from inside DATA_DIR only. */
export const GET: RequestHandler = async (event) => {
	const { db, dataDir } = await managerContext(event);
	const project = await getProject(db, event.params.id);
	if (!project) error(404, { message: 'No such project.' });
	const found = attachmentFile(dataDir, project.letterAttachments, event.params.file);
	if (!found) error(404, { message: 'No such attachment.' });
	const info = await stat(found.file).catch(() => null);
	if (!info) error(404, { message: 'The attachment file is missing from the data folder.' });
	const ascii = found.name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
	return new Response(Readable.toWeb(createReadStream(found.file)) as ReadableStream, {
		headers: {
			'content-type': found.type,
			'content-length': String(info.size),
			'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(found.name)}`,
			'x-content-type-options': 'nosniff'
		}
	});
};
