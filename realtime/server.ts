/**
 * Production entry (bundled to build/server.js): one HTTP server for the SvelteKit handler and the
 * realtime hub, services started before the port opens, clean shutdown on SIGINT/SIGTERM.
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getServices } from '$lib/server/app';
import { startRealtime } from './runtime';

type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next?: () => void) => void;

const PROTO_HEADER = 'x-switchboard-proto';

async function main(): Promise<void> {
	const services = await getServices();
	const { config, log } = services;
	// Without ORIGIN, adapter-node assumes https and would refuse every form posted over plain http
	// (CSRF check) and mark cookies Secure. Tell it the real protocol of each connection instead,
	// through a header only this process sets (any client-sent value is overwritten).
	if (!config.ORIGIN) process.env.PROTOCOL_HEADER = PROTO_HEADER;
	// Lead files can be large (the import wizard accepts up to 200 MB); adapter-node's default is 512 KB.
	process.env.BODY_SIZE_LIMIT ??= '210M';
	const handlerUrl = pathToFileURL(path.resolve(process.cwd(), 'build/handler.js')).href;
	const { handler } = (await import(/* @vite-ignore */ handlerUrl)) as { handler: Handler };

	const server = createServer((req, res) => {
		req.headers[PROTO_HEADER] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
		handler(req, res);
	});
	const realtime = await startRealtime(server, services);

	await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.PORT;
	log.info({ port, db: services.database.where }, 'switchboard listening');
	console.log(`\n  Switchboard is up: ${config.ORIGIN ?? `http://localhost:${port}`}\n`);

	let stopping = false;
	const shutdown = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, 'shutting down');
		const force = setTimeout(() => process.exit(1), 10_000);
		force.unref();
		server.closeIdleConnections?.();
		await new Promise<void>((resolve) => server.close(() => resolve()));
		await realtime.close();
		await services.close();
		log.info('stopped');
		process.exit(0);
	};
	process.on('SIGINT', () => void shutdown('SIGINT'));
	process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
	console.error(e instanceof Error ? e.message : e);
	process.exit(1);
});
