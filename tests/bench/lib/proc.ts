/** CPU time of other processes, from Linux /proc (0 where /proc is missing). */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

interface ProcStat {
	pid: number;
	ppid: number;
	comm: string;
	/** user + system CPU ms */
	cpuMs: number;
}

function readStat(pid: number): ProcStat | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const close = stat.lastIndexOf(')');
		const comm = stat.slice(stat.indexOf('(') + 1, close);
		// after ") ": state(3) ppid(4) … utime(14) stime(15)
		const f = stat.slice(close + 2).split(' ');
		return {
			pid,
			ppid: Number(f[1]),
			comm,
			cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND
		};
	} catch {
		return null;
	}
}

/** CPU ms a process has used so far */
export function processCpuMs(pid: number): number {
	return readStat(pid)?.cpuMs ?? 0;
}

/**
 * CPU ms used so far by the children of `parent` whose command matches `comm`, and all their
 * descendants (e.g. every Chromium process the bench launched). Processes that exited are not
 * counted: read it before closing them.
 */
export function treeCpuMs(parent: number, comm: RegExp): number {
	const { children } = processTable();
	let total = 0;
	for (const s of children.get(parent) ?? []) if (comm.test(s.comm)) total += subtree(s, children);
	return total;
}

/** CPU ms used so far by `pid` and all its descendants (this bench and everything it started) */
export function ownTreeCpuMs(pid = process.pid): number {
	const { byPid, children } = processTable();
	const self = byPid.get(pid);
	return self ? subtree(self, children) : 0;
}

/** CPU ms the whole machine has spent busy so far (all cores; /proc/stat minus idle and iowait) */
export function machineCpuMs(): number {
	try {
		const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
		// user nice system idle iowait irq softirq steal
		return (
			(((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)) * 1000) /
			TICKS_PER_SECOND
		);
	} catch {
		return 0;
	}
}

/**
 * CPU the rest of the machine used over a window (other people's tests, databases, browsers …),
 * in % of one core: what competed with the bench for the cores.
 */
export function othersCpuWindow(): () => number {
	return cpuWindow(() => machineCpuMs() - ownTreeCpuMs());
}

function processTable(): { byPid: Map<number, ProcStat>; children: Map<number, ProcStat[]> } {
	const byPid = new Map<number, ProcStat>();
	const children = new Map<number, ProcStat[]>();
	let dirs: string[] = [];
	try {
		dirs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
	} catch {
		// no /proc
	}
	for (const d of dirs) {
		const s = readStat(Number(d));
		if (!s) continue;
		byPid.set(s.pid, s);
		children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
	}
	return { byPid, children };
}

function subtree(s: ProcStat, children: Map<number, ProcStat[]>): number {
	let total = s.cpuMs;
	for (const c of children.get(s.pid) ?? []) total += subtree(c, children);
	return total;
}

/** A CPU meter over a window for another process (or a tree): % of one core since start(). */
export function cpuWindow(read: () => number): () => number {
	const c0 = read();
	const t0 = performance.now();
	return () => ((read() - c0) / (performance.now() - t0)) * 100;
}
