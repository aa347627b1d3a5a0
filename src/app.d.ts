import type { SessionUser } from '$lib/server/auth/types';

declare global {
	namespace App {
		interface Locals {
			user: SessionUser | null;
			sessionId: string | null;
			locale: 'en' | 'fr';
		}
		interface Error {
			message: string;
			code?: string;
		}
	}
}

export {};
