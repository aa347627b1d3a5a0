/**
 * Every environment variable the app reads, parsed once. The README's table mirrors this file.
 */
import path from 'node:path';
import { z } from 'zod';

const boolish = z
	.string()
	.optional()
	.transform((v) => (v === undefined || v === '' ? undefined : ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())));

const schema = z.object({
	PORT: z.coerce.number().int().min(0).max(65535).default(3000),
	HOST: z.string().default('0.0.0.0'),
	ORIGIN: z.string().url().optional(),
	DATA_DIR: z.string().default('./data'),
	DATABASE_URL: z.string().optional(),
	REDIS_URL: z.string().optional(),
	AMI_URL: z.string().optional(),
	/**
	 * Without AMI_URL: the built-in simulator listens on this loopback URL with these credentials
	 * instead of a random port and secret, so a script or a test can drive it over AMI too
	 * (development and tests only; a real PBX never reads it).
	 */
	SB_SIM_AMI_URL: z
		.string()
		.regex(/^ami:\/\/[^:@/]+:[^@/]+@(127\.0\.0\.1|localhost):\d+\/?$/, 'SB_SIM_AMI_URL must be ami://user:secret@127.0.0.1:<port>')
		.optional(),
	/** share (0–1) of the simulator's inbound callers who are existing leads calling back */
	SB_SIM_CALLBACK_SHARE: z.coerce.number().min(0).max(1).default(0.3),
	SB_ADMIN_EMAIL: z.string().email().optional(),
	SB_ADMIN_PASSWORD: z.string().min(12, 'SB_ADMIN_PASSWORD must be at least 12 characters').optional(),
	SB_DEMO: boolish,
	SB_SESSION_DAYS: z.coerce.number().positive().default(14),
	SMTP_URL: z.string().optional(),
	SMTP_FROM: z.string().default('Switchboard <no-reply@switchboard.invalid>'),
	/** test-only: a file holding a clock offset in ms for the leads' due times (see clock.ts) */
	SB_TEST_CLOCK_FILE: z.string().optional(),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	NODE_ENV: z.string().default('production')
});

export type Config = z.infer<typeof schema> & {
	dataDir: string;
	/** seed the demo floor on an empty database */
	seedDemo: boolean;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
	if (!parsed.success) {
		const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new Error(`Invalid environment:\n${lines.join('\n')}`);
	}
	const c = parsed.data;
	// Embedded mode seeds unless SB_DEMO=0; a real database is seeded only when asked (SB_DEMO=1).
	const seedDemo = c.DATABASE_URL ? c.SB_DEMO === true : c.SB_DEMO !== false;
	return { ...c, dataDir: path.resolve(c.DATA_DIR), seedDemo };
}
