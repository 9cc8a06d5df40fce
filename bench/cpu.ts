/**
 * CPU time of the n8n process, read from /proc (Linux). It answers "is the extra latency work or
 * waiting?": CPU ms per execution next to latency. It counts every thread of n8n's main process
 * (isolated-vm's included) but not PostgreSQL's or Redis's own processes.
 */
import { readFileSync, readdirSync } from 'node:fs';

// /proc/<pid>/stat counts in clock ticks; 100 per second on every Linux we run on (getconf CLK_TCK).
const MS_PER_TICK = 10;

/** A reader of the n8n process's CPU ms, or undefined where /proc is missing or the process is not found. */
export function n8nCpuReader(userFolder: string): (() => number | undefined) | undefined {
	const pid = n8nPid(userFolder);
	return pid === undefined ? undefined : processCpuReader(pid);
}

/**
 * A reader of one process's CPU ms, every thread (or with `mainThread`, only the thread that runs
 * its JavaScript event loop: what one Node process can never spread over more cores); undefined
 * once the process is gone.
 */
export function processCpuReader(pid: number, opts: { mainThread?: boolean } = {}): () => number | undefined {
	const file = opts.mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
	return () => {
		try {
			// Fields after "(comm) ": state is [0], utime [11], stime [12] (man 5 proc).
			const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
			return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
		} catch {
			return undefined;
		}
	};
}

/**
 * The whole machine's busy CPU ms so far, over all cores (/proc/stat: everything but idle and
 * iowait), or undefined without /proc. Over a phase, busy ms / (wall ms × cores) is how loaded the
 * machine was; what n8n's processes and the load generator do not account for is PostgreSQL's,
 * Redis's and the kernel's.
 */
export function machineBusyCpuMs(): number | undefined {
	try {
		const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
		// user nice system idle iowait irq softirq steal (guest time is already in user).
		const busy = ticks.slice(0, 8).reduce((total, t, i) => (i === 3 || i === 4 ? total : total + t), 0);
		return busy * MS_PER_TICK;
	} catch {
		return undefined;
	}
}

/** The process running `n8n start` with this user folder: the launcher does not expose its pid. */
export function n8nPid(userFolder: string): number | undefined {
	let entries: string[];
	try {
		entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
	} catch {
		return undefined;
	}
	for (const pid of entries) {
		try {
			const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
			if (!cmdline.includes('n8n\0start')) continue;
			const environ = `\0${readFileSync(`/proc/${pid}/environ`, 'utf8')}`;
			if (environ.includes(`\0N8N_USER_FOLDER=${userFolder}\0`)) return Number(pid);
		} catch {
			// Processes come and go, and others' environ may be unreadable.
		}
	}
	return undefined;
}

/** VmRSS and VmHWM (its peak so far) of the process, in MB; undefined without /proc or the process. */
export function processRssMb(pid: number | undefined): { rss: number; peak: number } | undefined {
	if (pid === undefined) return undefined;
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
		return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
	} catch {
		return undefined;
	}
}
