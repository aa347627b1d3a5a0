import { describe, expect, it } from 'vitest';
import { spoolRelative } from './calls';

describe('spoolRelative: the recording path kept from MIXMONITOR_FILENAME', () => {
	it('is relative to the monitor spool (mounted as the recordings root), else the file name', () => {
		expect(spoolRelative('/var/spool/asterisk/monitor/1795609633.133.wav')).toBe('1795609633.133.wav');
		expect(spoolRelative('/tmp/ast/var/spool/asterisk/monitor/queues/sales/1.wav')).toBe('queues/sales/1.wav');
		expect(spoolRelative('/srv/recordings/2026/1.wav')).toBe('1.wav');
		expect(spoolRelative('c2c-1.wav')).toBe('c2c-1.wav');
		expect(spoolRelative('/var/spool/asterisk/monitor/')).toBeNull();
	});
});
