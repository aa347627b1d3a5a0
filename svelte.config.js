import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({ out: 'build' }),
		alias: { $realtime: 'realtime' },
		// SvelteKit's origin check on form posts: on, with no extra trusted origins.
		csrf: { trustedOrigins: [] },
		// Scripts only from us: SvelteKit adds a nonce to its own inline bootstrap (hashes on
		// prerendered pages). Styles allow inline because Svelte sets style attributes and
		// transitions; no script can come from an attribute. The hub's websocket is same-origin.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'media-src': ['self', 'blob:'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['self']
			}
		},
		typescript: {
			config(tsconfig) {
				tsconfig.include.push('../realtime/**/*.ts', '../drizzle/**/*.ts');
			}
		}
	}
};

export default config;
