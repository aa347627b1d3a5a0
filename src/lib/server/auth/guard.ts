import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Role } from '$lib/protocol';
import { roleAtLeast, type SessionUser } from './types';

/** Which role each route group needs. Checked in hooks for every request, form actions included. */
export function requiredRoleFor(routeId: string | null): Role | null {
	if (!routeId) return null;
	if (routeId.startsWith('/(agent)')) return 'agent';
	if (routeId.startsWith('/(supervisor)')) return 'supervisor';
	if (routeId.startsWith('/(manager)')) return 'manager';
	if (routeId.startsWith('/admin')) return 'admin';
	if (routeId.startsWith('/(app)')) return 'agent';
	return null;
}

export function isAllowed(user: SessionUser, needed: Role, routeId: string | null): boolean {
	// The (app) group holds pages every signed-in user may open (account settings).
	if (routeId?.startsWith('/(app)')) return true;
	return roleAtLeast(user.role, needed);
}

/** For actions and endpoints: the signed-in user with at least `role`, or a 401/403. */
export function requireUser(event: Pick<RequestEvent, 'locals' | 'url'>, role?: Role): SessionUser {
	const user = event.locals.user;
	if (!user) redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	if (role && !roleAtLeast(user.role, role)) error(403, { message: 'You do not have access to this page.', code: 'forbidden' });
	return user;
}

export function clientIp(event: Pick<RequestEvent, 'getClientAddress' | 'request'>): string {
	try {
		return event.getClientAddress();
	} catch {
		return 'unknown';
	}
}

/**
 * Called by each route group's layout: hooks decided the role check (`locals.forbidden`), the
 * layout turns it into the 403 page — inside the app's root layout, so navigation stays usable.
 */
export function forbidIfNeeded(locals: App.Locals): void {
	if (locals.forbidden) error(403, { message: 'You do not have access to this page.', code: 'forbidden' });
}
