import { Secret, TOTP } from 'otpauth';

function totpFor(secret: string, label: string): TOTP {
	return new TOTP({ issuer: 'Switchboard', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

export function newTotpSecret(): string {
	return new Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, email: string): string {
	return totpFor(secret, email).toString();
}

/** Accepts the current code and one step either side (clock drift). */
export function verifyTotp(secret: string, code: string): boolean {
	const clean = code.replace(/\s+/g, '');
	if (!/^\d{6}$/.test(clean)) return false;
	return totpFor(secret, 'x').validate({ token: clean, window: 1 }) !== null;
}

export function currentTotp(secret: string): string {
	return totpFor(secret, 'x').generate();
}
