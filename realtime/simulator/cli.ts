/**
 * Run the simulator from a shell:
 *
 *   npm run simulator -- --port 5038 --agents 50 [--rate 1000] [--seed 1] [--user sim --secret …]
 *                        [--no-bots] [--humans 1001,1002] [--recordings data/recordings] [--host 127.0.0.1]
 *                        [--early-response 0.5]   (share of OriginateResponses sent before their call's events)
 *
 * Agents are PJSIP/1001… with generated names; every agent is a bot unless --no-bots (or listed
 * in --humans). Prints the AMI_URL to give the app, shuts down cleanly on SIGINT/SIGTERM. Without
 * --secret a random one is generated and printed once.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { SimAgent } from './model';
import { FIRST_NAMES, LAST_NAMES } from './names';
import { startSimulator } from './server';

/** `n` agents PJSIP/<first>… with stable generated names. */
export function makeAgents(n: number, firstExtension = 1001): SimAgent[] {
	const out: SimAgent[] = [];
	for (let i = 0; i < n; i++) {
		const ext = String(firstExtension + i);
		const name = `${FIRST_NAMES[i % FIRST_NAMES.length] ?? 'Agent'} ${LAST_NAMES[(i * 7 + Math.floor(i / FIRST_NAMES.length)) % LAST_NAMES.length] ?? ext}`;
		out.push({ endpoint: `PJSIP/${ext}`, name, extension: ext });
	}
	return out;
}

export interface CliOptions {
	host: string;
	port: number;
	agents: number;
	rate: number | undefined;
	seed: number;
	user: string;
	secret: string;
	/** the secret was generated (print it) */
	generatedSecret: boolean;
	bots: boolean;
	humans: string[];
	recordings: string | undefined;
	/** probability that an OriginateResponse precedes its call's events */
	earlyResponse: number;
}

export function parseCli(argv: string[]): CliOptions {
	const { values } = parseArgs({
		args: argv,
		options: {
			host: { type: 'string', default: '127.0.0.1' },
			port: { type: 'string', default: '5038' },
			agents: { type: 'string', default: '50' },
			rate: { type: 'string' },
			seed: { type: 'string', default: '1' },
			user: { type: 'string', default: 'sim' },
			secret: { type: 'string' },
			bots: { type: 'boolean', default: true },
			'no-bots': { type: 'boolean', default: false },
			humans: { type: 'string', default: '' },
			recordings: { type: 'string' },
			'early-response': { type: 'string', default: '0' }
		},
		strict: true,
		allowPositionals: false
	});
	const int = (name: string, v: string | undefined, min: number): number => {
		const n = Number(v);
		if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
		return n;
	};
	const secret = values.secret ?? randomBytes(12).toString('base64url');
	const early = Number(values['early-response']);
	if (!(early >= 0 && early <= 1)) throw new Error('--early-response must be a probability between 0 and 1');
	return {
		host: values.host,
		port: int('port', values.port, 0),
		agents: int('agents', values.agents, 0),
		rate: values.rate === undefined ? undefined : int('rate', values.rate, 1),
		seed: int('seed', values.seed, 0),
		user: values.user,
		secret,
		generatedSecret: values.secret === undefined,
		bots: values.bots && !values['no-bots'],
		humans: values.humans
			.split(',')
			.map((s) => s.trim())
			.filter((s) => s !== '')
			.map((s) => (s.includes('/') ? s : `PJSIP/${s}`)),
		recordings: values.recordings,
		earlyResponse: early
	};
}

async function main(): Promise<void> {
	let opts: CliOptions;
	try {
		opts = parseCli(process.argv.slice(2));
	} catch (e) {
		console.error(e instanceof Error ? e.message : String(e));
		process.exit(2);
	}
	const agents = makeAgents(opts.agents);
	const sim = await startSimulator({
		host: opts.host,
		port: opts.port,
		agents,
		seed: opts.seed,
		username: opts.user,
		secret: opts.secret,
		bots: opts.bots,
		rate: opts.rate,
		recordingsDir: opts.recordings,
		earlyOriginateResponse: opts.earlyResponse
	});
	for (const h of opts.humans) sim.model.setBot(h, false);
	const bots = sim.model.bots.list().length;
	console.log(`Asterisk AMI simulator listening on ${sim.host}:${sim.port}`);
	console.log(
		`  ${agents.length} agents (PJSIP/${agents[0]?.extension ?? '-'}…), ${bots} bots, queues: ${sim.model.queueNames().join(', ')}`
	);
	if (opts.rate !== undefined) console.log(`  load mode: ${opts.rate} events/s`);
	if (opts.recordings !== undefined) console.log(`  recordings under ${opts.recordings}`);
	if (opts.generatedSecret) console.log(`  generated secret (shown once): ${opts.secret}`);
	console.log(`AMI_URL=${sim.url}`);

	let stopping = false;
	const stop = (signal: string): void => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: shutting down`);
		sim.close().then(
			() => process.exit(0),
			(e: unknown) => {
				console.error(e);
				process.exit(1);
			}
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
	void main();
}
