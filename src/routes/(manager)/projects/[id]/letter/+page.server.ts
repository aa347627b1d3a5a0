import { fail } from '@sveltejs/kit';
import { updateLetter } from '$lib/server/projects';
import { addAttachment, AttachmentError, attachmentId, MAX_ATTACHMENT_BYTES, removeAttachment } from '$lib/server/projects/attachments';
import { saveProjectSection } from '$lib/server/projects/form-action';
import { managerContext, requireProject } from '$lib/server/leads/manager-context';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
	const { project } = await parent();
	return {
		attachments: project.letterAttachments.map((a) => ({ id: attachmentId(a), name: a.name, size: a.size, type: a.type })),
		maxAttachmentBytes: MAX_ATTACHMENT_BYTES
	};
};

export const actions: Actions = {
	save: saveProjectSection(updateLetter),
	attach: async (event) => {
		const { db, dataDir, actor } = await managerContext(event);
		await requireProject(db, event.params.id);
		const file = (await event.request.formData()).get('file');
		if (!(file instanceof File) || file.name === '') return fail(400, { attachError: 'Choose a file to attach.' });
		// refused before reading it: a big file never reaches the disk
		if (file.size > MAX_ATTACHMENT_BYTES)
			return fail(413, { attachError: `"${file.name.slice(0, 200)}" is ${(file.size / 1048576).toFixed(1)} MB; attachments are limited to 10 MB each.` });
		try {
			await addAttachment(db, dataDir, event.params.id, { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) }, actor);
		} catch (e) {
			if (e instanceof AttachmentError) return fail(e.code === 'too_large' ? 413 : 400, { attachError: e.message });
			throw e;
		}
		return { attached: file.name.slice(0, 200) };
	},
	detach: async (event) => {
		const { db, dataDir, actor } = await managerContext(event);
		await requireProject(db, event.params.id);
		const id = String((await event.request.formData()).get('attachment') ?? '');
		try {
			await removeAttachment(db, dataDir, event.params.id, id, actor);
		} catch (e) {
			if (e instanceof AttachmentError) return fail(404, { attachError: e.message });
			throw e;
		}
		return { detached: true };
	}
};
