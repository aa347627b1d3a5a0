import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { switchboardRealtime } from './realtime/vite-plugin.ts';

export default defineConfig({
	plugins: [
		paraglideVitePlugin({
			project: './src/lib/i18n/project.inlang',
			outdir: './src/lib/paraglide',
			strategy: ['cookie', 'preferredLanguage', 'baseLocale']
		}),
		sveltekit(),
		switchboardRealtime()
	],
	test: {
		expect: { requireAssertions: true },
		projects: [
			{
				extends: './vite.config.ts',
				test: {
					name: 'server',
					environment: 'node',
					include: ['src/**/*.test.ts', 'realtime/**/*.test.ts', 'tests/**/*.test.ts'],
					exclude: ['tests/e2e/**', 'tests/bench/**', 'tests/faults/**', 'node_modules/**'],
					testTimeout: 30_000,
					hookTimeout: 60_000
				}
			},
			{
				// fault injection, fuzzing, role matrix and security checks (issue 10): minutes, not seconds
				extends: './vite.config.ts',
				test: {
					name: 'faults',
					environment: 'node',
					include: ['tests/faults/**/*.test.ts'],
					fileParallelism: false,
					testTimeout: 600_000,
					hookTimeout: 180_000
				}
			},
			{
				extends: './vite.config.ts',
				test: {
					name: 'e2e',
					environment: 'node',
					include: ['tests/e2e/**/*.e2e.ts'],
					globalSetup: ['tests/e2e/global-setup.ts'],
					fileParallelism: false,
					testTimeout: 60_000,
					hookTimeout: 180_000
				}
			}
		]
	}
});
