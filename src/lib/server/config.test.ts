import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('config', () => {
	it('seeds the demo only on an embedded database unless told', () => {
		expect(loadConfig({}).seedDemo).toBe(true);
		expect(loadConfig({ SB_DEMO: '0' }).seedDemo).toBe(false);
		expect(loadConfig({ DATABASE_URL: 'postgres://x@y/z' }).seedDemo).toBe(false);
		expect(loadConfig({ DATABASE_URL: 'postgres://x@y/z', SB_DEMO: '1' }).seedDemo).toBe(true);
	});
	it('names the bad variable', () => {
		expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
		expect(() => loadConfig({ SB_ADMIN_PASSWORD: 'short' })).toThrow(/at least 12/);
	});
});
