import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
	const user = locals.user;
	return {
		locale: locals.locale,
		user: user ? { id: user.id, name: user.name, role: user.role, email: user.email } : null
	};
};
