/**
 * `npm start` stopped the way a process manager stops it (SIGTERM to npm's own process) or the way
 * a terminal does (SIGINT) leaves nothing behind: no n8n, no peer, no port held. And a launcher that dies without cleaning up
 * (SIGKILL) takes its n8n with it (the parent-death signal of scripts/n8n.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sleep, waitFor } from '../support/waitFor';

jest.setTimeout(400_000);
const repoRoot = path.join(__dirname, '..', '..');

/** Every live process below `root`, from /proc (pid → parent pid). */
function descendants(root: number): number[] {
	const parents = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// pid (comm) state ppid …; comm may hold spaces and parentheses: read after the last ')'.
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			parents.set(Number(entry), ppid);
		} catch {
			// gone meanwhile
		}
	}
	const found: number[] = [];
	const walk = (pid: number) => {
		for (const [child, parent] of parents) {
			if (parent === pid) {
				found.push(child);
				walk(child);
			}
		}
	};
	walk(root);
	return found;
}

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

async function portFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const probe = net.createServer().once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

async function freePort(): Promise<number> {
	return await new Promise((resolve) => {
		const s = net.createServer().listen(0, '127.0.0.1', () => {
			const { port } = s.address() as net.AddressInfo;
			s.close(() => resolve(port));
		});
	});
}

/** Starts a command and resolves once a line of its output matches `ready`. */
async function startUntil(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; output: string[] }> {
	const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	const output: string[] = [];
	const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n'));
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);
	await waitFor(() => output.some((l) => ready.test(l)) || child.exitCode !== null, 300_000, `${command} ${args.join(' ')} to be ready`);
	if (child.exitCode !== null) throw new Error(`${command} exited (${child.exitCode}):\n${output.slice(-40).join('\n')}`);
	return { child, output };
}

it.each(['SIGTERM', 'SIGINT'] as const)('%s to npm start stops n8n and every peer within seconds, and frees the ports', async (signal) => {
	const port = await freePort();
	const { child, output } = await startUntil('npm', ['start', '--silent'], { N8N_PORT: String(port) }, /Ctrl-C stops/);
	const editor = output.find((l) => l.includes('Editor:'));
	expect(editor).toContain(`http://127.0.0.1:${port}`);
	const started = descendants(child.pid!);
	expect(started.length).toBeGreaterThanOrEqual(3); // tsx, the launcher, n8n (and its task runner)
	expect(await portFree(port)).toBe(false);

	// npm passes SIGINT and SIGTERM on to the script's process, which `exec` makes tsx itself (a
	// shell in between would ignore SIGINT and nothing would stop).
	child.kill(signal);
	await waitFor(() => started.every((pid) => !alive(pid)), 30_000, 'every process npm start started to end');
	expect(await portFree(port)).toBe(true);
});

it('a launcher killed with SIGKILL leaves no n8n behind', async () => {
	const port = await freePort();
	const script = "const { startN8n } = require('./scripts/n8n'); startN8n({ port: Number(process.env.PORT) }).then((n) => console.log('ready ' + n.url));";
	const { child } = await startUntil(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['-e', script], { PORT: String(port) }, /^ready /);
	const started = descendants(child.pid!);
	expect(await portFree(port)).toBe(false);

	// tsx runs the script in a child node; kill that one, the launcher itself, without warning.
	for (const pid of [...started].reverse()) {
		if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('startN8n')) {
			process.kill(pid, 'SIGKILL');
			break;
		}
	}
	await waitFor(() => started.every((pid) => !alive(pid)), 30_000, 'n8n to end after its launcher died');
	await sleep(200);
	expect(await portFree(port)).toBe(true);
	child.kill('SIGKILL');
});
