/**
 * A floor written straight into the app's PGlite (DATA_DIR/pglite) before the app starts: a
 * manager and one agent user per simulator agent, same endpoints. Agents get a fixed dummy hash
 * (nobody logs in as them; 2,000 argon2 hashes would take minutes); the manager gets a real one
 * when a password is given, to log in through the form. Also returns a session cookie value.
 */
import { randomBytes } from 'node:crypto';
import type { SimAgent } from '../../../realtime/simulator/model';
import { hashPassword } from '../../../src/lib/server/auth/password';
import { createSession } from '../../../src/lib/server/auth/session';
import { openDatabase } from '../../../src/lib/server/db';
import { users } from '../../../src/lib/server/db/schema';

export interface SeededFloor {
	manager: { email: string; password: string | null };
	/** value of the session cookie of a verified manager session */
	token: string;
}

export async function seedFloorDb(
	dataDir: string,
	agents: readonly SimAgent[],
	opts: { managerPassword?: string } = {}
): Promise<SeededFloor> {
	const database = await openDatabase({ dataDir });
	try {
		const db = database.db;
		const dummyHash = `$bench$no-login$${randomBytes(8).toString('hex')}`;
		const email = 'bench.manager@bench.switchboard';
		const passwordHash = opts.managerPassword ? await hashPassword(opts.managerPassword) : dummyHash;
		const [manager] = await db
			.insert(users)
			.values({ email, name: 'Bench Manager', role: 'manager', passwordHash })
			.returning({ id: users.id });
		for (let i = 0; i < agents.length; i += 500) {
			await db.insert(users).values(
				agents.slice(i, i + 500).map((a) => ({
					email: `agent${a.extension}@bench.switchboard`,
					name: a.name,
					role: 'agent' as const,
					endpoint: a.endpoint,
					passwordHash: dummyHash
				}))
			);
		}
		const { token } = await createSession(db, manager!.id, { days: 1, verified: true });
		return { manager: { email, password: opts.managerPassword ?? null }, token };
	} finally {
		await database.close();
	}
}
