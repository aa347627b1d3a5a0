import type { SessionUser } from '$lib/server/auth/types';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			sessionId: string | null;
			locale: 'en' | 'fr';
			/** set by hooks when the route group needs a higher role: the root layout answers 403 */
			forbidden: boolean;
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
