import type { Role } from '$lib/protocol';

export type { Role };

export interface SessionUser {
	id: string;
	email: string;
	name: string;
	role: Role;
	locale: string | null;
	teamIds: string[];
	hasTotp: boolean;
}

export const ROLES: readonly Role[] = ['agent', 'supervisor', 'manager', 'admin'];

/** Roles nest like VICIdial user levels: admin ⊃ manager ⊃ supervisor; agent stands apart. */
export function roleAtLeast(role: Role, needed: Role): boolean {
	if (needed === 'agent') return role === 'agent';
	return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Where each role lands after login. */
export function homeFor(role: Role): string {
	switch (role) {
		case 'agent':
			return '/agent';
		case 'supervisor':
			return '/floor';
		case 'manager':
			return '/floor';
		case 'admin':
			return '/admin/users';
	}
}
