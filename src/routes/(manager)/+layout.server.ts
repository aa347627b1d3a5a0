import { forbidIfNeeded } from '$lib/server/auth/guard';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => forbidIfNeeded(locals);
