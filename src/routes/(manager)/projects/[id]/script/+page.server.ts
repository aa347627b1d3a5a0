import { updateScript } from '$lib/server/projects';
import { saveProjectSection } from '$lib/server/projects/form-action';
import type { Actions } from './$types';

export const actions: Actions = { default: saveProjectSection(updateScript) };
