import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({ out: 'build' }),
		alias: { $realtime: 'realtime' },
		csrf: { trustedOrigins: [] },
		typescript: {
			config(tsconfig) {
				tsconfig.include.push('../realtime/**/*.ts', '../drizzle/**/*.ts');
			}
		}
	}
};

export default config;
