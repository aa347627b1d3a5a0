import pino, { type Logger } from 'pino';

/** Paths that must never reach a log line, whatever module logs them. */
const REDACT = [
	'password',
	'*.password',
	'secret',
	'*.secret',
	'token',
	'*.token',
	'passwordHash',
	'*.passwordHash',
	'totpSecret',
	'*.totpSecret',
	'cookie',
	'*.cookie',
	'headers.cookie',
	'req.headers.cookie',
	'authorization',
	'*.authorization'
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
	const pretty = process.env.NODE_ENV === 'development' && process.stdout.isTTY;
	return pino({
		level,
		redact: { paths: REDACT, censor: '[redacted]' },
		base: { app: 'switchboard' },
		timestamp: pino.stdTimeFunctions.isoTime,
		...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {})
	});
}

export type { Logger };
