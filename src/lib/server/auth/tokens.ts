import { createHash, randomBytes } from 'node:crypto';

/** 256-bit random token for cookies and one-time links. */
export function newToken(): string {
	return randomBytes(32).toString('base64url');
}

/** Only this digest is stored: a leaked table row cannot be replayed. */
export function tokenDigest(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}
