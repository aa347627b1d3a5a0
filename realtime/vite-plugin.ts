/**
 * Dev only: attaches the live spine to Vite's HTTP server. One runtime per process (a globalThis
 * symbol), closed when Vite restarts, or a restart would open a second AMI stream per PBX.
 */
import type { Server } from 'node:http';
import type { Plugin, PreviewServer, ViteDevServer } from 'vite';

const KEY = Symbol.for('switchboard.devRealtime');
type Holder = { [KEY]?: Promise<{ close(): Promise<void> }> };

async function attach(server: ViteDevServer | PreviewServer, load: (id: string) => Promise<Record<string, unknown>>) {
	const http = server.httpServer as Server | null;
	if (!http) return;
	const holder = globalThis as Holder;
	if (holder[KEY]) await (await holder[KEY]).close();
	holder[KEY] = (async () => {
		const app = (await load('/src/lib/server/app.ts')) as typeof import('../src/lib/server/app');
		const rt = (await load('/realtime/runtime.ts')) as typeof import('./runtime');
		const services = await app.getServices();
		return rt.startRealtime(http, services);
	})();
	http.once('close', () => {
		void holder[KEY]?.then((r) => r.close());
		delete holder[KEY];
	});
}

export function switchboardRealtime(): Plugin {
	return {
		name: 'switchboard-realtime',
		configureServer(server) {
			// ssrLoadModule shares the module graph with SvelteKit's own server code, so there is one services object.
			server.httpServer?.once('listening', () => {
				void attach(server, (id) => server.ssrLoadModule(id)).catch((e: unknown) => server.config.logger.error(String(e)));
			});
		}
	};
}
