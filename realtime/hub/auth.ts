/**
 * Socket auth reads the very cookie SvelteKit sets: one session, one check, for HTTP and socket.
 */
import type { SocketUser } from '../../src/lib/protocol';
import type { Db } from '../../src/lib/server/db';
import { SESSION_COOKIE, validateSession } from '../../src/lib/server/auth/session';

export function readCookie(header: string | undefined, name: string): string | null {
	if (!header) return null;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		if (part.slice(0, eq).trim() === name) {
			try {
				return decodeURIComponent(part.slice(eq + 1).trim());
			} catch {
				return null;
			}
		}
	}
	return null;
}

export function sessionAuthenticator(db: Db, sessionDays: number) {
	return async (cookieHeader: string | undefined): Promise<SocketUser | null> => {
		const token = readCookie(cookieHeader, SESSION_COOKIE);
		if (!token) return null;
		const session = await validateSession(db, token, sessionDays);
		if (!session || session.pendingTotp) return null;
		const { id, name, role, teamIds } = session.user;
		return { id, name, role, teamIds };
	};
}
