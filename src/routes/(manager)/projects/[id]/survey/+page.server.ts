import { getServices } from '$lib/server/app';
import { saveProjectSection } from '$lib/server/projects/form-action';
import { getSurvey, updateSurvey } from '$lib/server/surveys';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const { database } = await getServices();
	return { survey: await getSurvey(database.db, params.id) };
};

export const actions: Actions = { default: saveProjectSection(updateSurvey) };
