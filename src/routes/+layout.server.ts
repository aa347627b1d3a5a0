import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
	if (locals.forbidden) error(403, { message: 'You do not have access to this page.', code: 'forbidden' });
	const user = locals.user;
	return {
		locale: locals.locale,
		user: user ? { id: user.id, name: user.name, role: user.role, email: user.email } : null
	};
};
