/**
 * The core's import graph (lib/, type imports included): no cycles, so each module can be read
 * and tested from its dependencies up. (That lib/ imports neither n8n nor a node file is a lint rule.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const lib = path.join(__dirname, '..', '..', 'lib');

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
	});
}

/** Relative imports of a module (import and export ... from, type-only too), as resolved file paths. */
function importsOf(file: string): string[] {
	const source = readFileSync(file, 'utf8');
	const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]);
	return specifiers.map((s) => {
		const base = path.resolve(path.dirname(file), s);
		return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => {
			try {
				return statSync(candidate).isFile();
			} catch {
				return false;
			}
		}) ?? `${base}.ts`;
	});
}

it('has no import cycles', () => {
	const graph = new Map(files(lib).map((file) => [file, importsOf(file)]));
	const cycles: string[] = [];
	const state = new Map<string, 'visiting' | 'done'>();
	const visit = (file: string, trail: string[]) => {
		if (state.get(file) === 'done') return;
		if (state.get(file) === 'visiting') {
			cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(lib, f)).join(' → '));
			return;
		}
		state.set(file, 'visiting');
		for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
		state.set(file, 'done');
	};
	for (const file of graph.keys()) visit(file, []);
	expect(cycles).toEqual([]);
});
