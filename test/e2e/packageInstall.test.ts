/**
 * The package installs into a stock n8n the way n8n 2.41.1 installs a community package from its UI
 * (CommunityPackagesService.downloadPackage): `npm pack`, unpack into
 * <userFolder>/.n8n/nodes/node_modules/<name>, drop dev/peer/optional dependencies from its
 * package.json, `npm install --install-strategy=shallow --ignore-scripts --package-lock=false` inside
 * it, record it in nodes/package.json. Then every node in package.json's `n8n.nodes` must be known
 * to that n8n as `n8n-nodes-hotel-integrations.<name>`, and every credential type by its name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { startN8n, type N8n } from '../../scripts/n8n';

const repoRoot = path.resolve(__dirname, '..', '..');

interface PackageJson {
	name: string;
	version: string;
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	n8n: { nodes: string[]; credentials?: string[] };
}

// Build, pack, npm install (from the npm cache or the registry) and a first n8n start.
const SETUP_TIMEOUT_MS = 600_000;

describe('package install into a stock n8n', () => {
	const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
	let scratch: string;
	let installedDir: string;
	let n8n: N8n | undefined;
	// Every line n8n prints: a package that fails to load says why near the start, before migrations.
	const n8nLines: string[] = [];

	beforeAll(async () => {
		scratch = mkdtempSync(path.join(os.tmpdir(), 'n8n-package-install-'));
		run(path.join(repoRoot, 'node_modules', '.bin', 'n8n-node'), ['build'], repoRoot);
		const tarball = packPackage(scratch);
		const userFolder = path.join(scratch, 'user');
		installedDir = installLikeN8n(userFolder, tarball, pkg.name);
		n8n = await startN8n({ userFolder, linkPackage: false, log: (line) => n8nLines.push(line) });
	}, SETUP_TIMEOUT_MS);

	afterAll(async () => {
		await n8n?.stop();
		if (scratch) rmSync(scratch, { recursive: true, force: true });
	}, 60_000);

	it('declares at least one node', () => {
		expect(pkg.n8n.nodes.length).toBeGreaterThan(0);
	});

	it('installs its runtime dependencies inside the package and no peer dependency', () => {
		for (const dependency of Object.keys(pkg.dependencies ?? {})) {
			expect(existsSync(path.join(installedDir, 'node_modules', dependency, 'package.json'))).toBe(true);
		}
		for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
			expect(existsSync(path.join(installedDir, 'node_modules', peer))).toBe(false);
		}
	});

	it('makes every node in package.json known to n8n under the package name', async () => {
		const known = await loadedTypeNames(n8n!, 'nodes');
		const expected = pkg.n8n.nodes.map((file) => `${pkg.name}.${builtName(file, 'node')}`);
		expectAllKnown(expected, known, n8nLines);
	});

	it("gives every node its codex (categories, aliases, documentation link), so 'hotel' finds them all in the node panel", async () => {
		const res = await fetch(`${n8n!.url}/types/nodes.json`, { headers: { cookie: n8n!.authCookie } });
		const types = (await res.json()) as Array<{ name: string; codex?: { categories?: string[]; alias?: string[]; resources?: { primaryDocumentation?: Array<{ url: string }> } } }>;
		// n8n lists a node once per version, and a node usable as an AI tool a second time as <name>Tool (n8n's own codex).
		const ours = types.filter((t) => t.name.startsWith(`${pkg.name}.`) && !t.name.endsWith('Tool'));
		expect(new Set(ours.map((t) => t.name)).size).toBe(pkg.n8n.nodes.length);
		const withoutCodex = ours.filter((t) => !t.codex?.alias?.includes('hotel') || !t.codex?.categories?.length || !t.codex?.resources?.primaryDocumentation?.[0]?.url).map((t) => t.name);
		expect(withoutCodex).toEqual([]);
	});

	it('makes every credential type in package.json known to n8n', async () => {
		const known = await loadedTypeNames(n8n!, 'credentials');
		const expected = (pkg.n8n.credentials ?? []).map((file) => builtName(file, 'credential'));
		expectAllKnown(expected, known, n8nLines);
	});
});

/** Fails with what n8n said about loading packages, which is what explains a missing type. */
function expectAllKnown(expected: string[], known: Set<string>, n8nLines: string[]): void {
	const missing = expected.filter((name) => !known.has(name));
	if (missing.length === 0) return;
	const said = n8nLines.filter((line) => /hotel|package|load|error|fail|cannot find/i.test(line) && !/migration/i.test(line));
	throw new Error(`n8n does not know ${missing.join(', ')}. What n8n logged about loading:\n${said.join('\n')}`);
}

function run(command: string, args: string[], cwd: string): string {
	try {
		return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
	} catch (error) {
		const { stdout, stderr } = error as { stdout?: string; stderr?: string };
		throw new Error(`${path.basename(command)} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
	}
}

function packPackage(destination: string): string {
	const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], repoRoot);
	const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
	return path.join(destination, filename);
}

/** What n8n 2.41.1 does for "Install community node"; returns the package's folder. */
function installLikeN8n(userFolder: string, tarball: string, name: string): string {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', name);
	mkdirSync(packageDir, { recursive: true });
	writeJson(path.join(nodesDir, 'package.json'), { name: 'installed-nodes', private: true, dependencies: {} });

	run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], nodesDir);
	const manifestPath = path.join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = readJson(manifestPath);
	writeJson(manifestPath, manifest);
	run(
		'npm',
		['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
		packageDir,
	);

	const nodesManifest = readJson(path.join(nodesDir, 'package.json'));
	writeJson(path.join(nodesDir, 'package.json'), { ...nodesManifest, dependencies: { [name]: manifest.version } });
	return packageDir;
}

// Node's own require: Jest's resolver does not see files that appeared after it started, and
// beforeAll has just rebuilt dist/.
const nodeRequire = createRequire(__filename);

/**
 * The name n8n registers a built node or credential class under: its description's `name` (a node)
 * or its `name` (a credential). Read from the repo's dist, where n8n-workflow resolves.
 */
function builtName(file: string, kind: 'node' | 'credential'): string {
	const exports = nodeRequire(path.join(repoRoot, file)) as Record<string, unknown>;
	for (const exported of Object.values(exports)) {
		if (typeof exported !== 'function') continue;
		const instance = new (exported as new () => { name?: string; description?: { name?: string } })();
		const name = kind === 'node' ? instance.description?.name : instance.name;
		if (name) return name;
	}
	throw new Error(`${file} exports no ${kind} class with a name`);
}

/** /types/nodes.json and /types/credentials.json list what n8n loaded; they need a session. */
async function loadedTypeNames(n8n: N8n, kind: 'nodes' | 'credentials'): Promise<Set<string>> {
	const res = await fetch(`${n8n.url}/types/${kind}.json`, { headers: { cookie: n8n.authCookie } });
	expect(res.status).toBe(200);
	const types = (await res.json()) as Array<{ name: string }>;
	return new Set(types.map((t) => t.name));
}

function readJson(file: string): Record<string, unknown> & { version?: string } {
	return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function writeJson(file: string, value: unknown): void {
	writeFileSync(file, JSON.stringify(value, null, 2));
}
