/**
 * Reads the n8n services of a shipped compose file (docker/compose.queue.yml) the way Docker
 * Compose would: YAML with merge keys, `${NAME}`, `${NAME:-default}` and `${NAME:?message}` taken
 * from the given variables (the `.env` file's role). The queue-mode launcher starts its processes
 * from these services' own commands and environment, so what is shipped is what is tested.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ComposeService {
	/** The command line after `n8n` (the image's entrypoint); `start` when the service names none. */
	args: string[];
	environment: Record<string, string>;
}

interface ComposeFile {
	services?: Record<string, { command?: string | string[]; environment?: Record<string, unknown> | string[] }>;
}

/** Every service of the file, variables substituted. Throws on a `${NAME:?…}` that `variables` lacks. */
export function readComposeServices(file: string, variables: Record<string, string>): Record<string, ComposeService> {
	const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
	const services: Record<string, ComposeService> = {};
	for (const [name, service] of Object.entries(compose.services ?? {})) {
		const environment: Record<string, string> = {};
		for (const [key, value] of environmentEntries(service.environment)) {
			environment[key] = substitute(value, variables, `${name}.${key}`);
		}
		const command = service.command ?? [];
		const args = (typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : command).map((a) => substitute(a, variables, `${name}.command`));
		services[name] = { args: args.length > 0 ? args : ['start'], environment };
	}
	return services;
}

function environmentEntries(environment: Record<string, unknown> | string[] | undefined): Array<[string, string]> {
	if (!environment) return [];
	if (Array.isArray(environment)) {
		return environment.map((entry) => {
			const at = entry.indexOf('=');
			return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
		});
	}
	return Object.entries(environment).map(([key, value]) => [key, value === null || value === undefined ? '' : String(value)]);
}

/** Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, $$. */
export function substitute(value: string, variables: Record<string, string>, where: string): string {
	return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name: string | undefined, colon: string, kind: string, rest: string) => {
		if (whole === '$$') return '$';
		const set = name! in variables;
		const usable = colon ? set && variables[name!] !== '' : set;
		if (usable) return variables[name!];
		if (kind === '-') return rest;
		if (kind === '?') throw new Error(`${where}: ${name} is required (${rest || 'not set'})`);
		return '';
	});
}
