#!/usr/bin/env node
/**
 * The command hotel IT runs to move the hotel's records from the embedded store to PostgreSQL
 * (see copyStore.ts for what is copied and how). It ships in dist/ with the nodes, so it runs
 * where n8n runs — a plain install or the n8n container — with no other tool installed.
 *
 *   node dist/lib/store/copyStoreCli.js [--from <folder>] [--to postgres://user:password@host:5432/database]
 */
import { parseArgs } from 'node:util';
import { copyEmbeddedStore } from './copyStore';
import { closeAllStores, defaultEmbeddedDir, type StoreConfig } from './db';
import { DATABASE_URL_VARIABLE, describeStore, postgresUrlConfig } from './instanceStore';

const usage = () => `Copies the hotel's records from the embedded store into an empty PostgreSQL database.

Stop n8n first: the embedded store must be opened by one process at a time, and n8n would go on
writing records the copy does not see.

Usage: node copyStoreCli.js [--from <folder>] [--to <url>]
  --from <folder>  the embedded store (default: ${defaultEmbeddedDir()})
  --to <url>       postgres://user:password@host:5432/database, an empty database
                   (default: the ${DATABASE_URL_VARIABLE} environment variable)

Then set ${DATABASE_URL_VARIABLE} to that URL for n8n and start it.
`;

class UsageError extends Error {}

// A command's output, not n8n logging (the node rules forbid console).
const say = (line: string) => void process.stdout.write(`${line}\n`);
const complain = (line: string) => void process.stderr.write(`${line}\n`);

async function main(args: string[]): Promise<void> {
	let values: { from?: string; to?: string; help?: boolean };
	try {
		({ values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	if (values.help) {
		process.stdout.write(usage());
		return;
	}
	const to = targetOf(values.to);
	const dir = values.from ?? defaultEmbeddedDir();

	say('n8n must be stopped while the copy runs (the embedded store has one opener at a time).');
	const report = await copyEmbeddedStore({ from: { kind: 'embedded', dir }, to, log: say });
	const width = Math.max(...report.tables.map((t) => t.table.length));
	for (const t of report.tables) say(`  ${t.table.padEnd(width)}  ${String(t.rows).padStart(9)}`);
	const rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
	say(`Copied ${rows} rows in ${report.tables.length} tables from ${dir} to ${describeStore(to)}. Set ${DATABASE_URL_VARIABLE} for n8n and start it.`);
}

/** The --to URL, else HOTEL_DATABASE_URL, read the way n8n reads the variable. */
function targetOf(option: string | undefined): StoreConfig {
	const url = (option ?? process.env[DATABASE_URL_VARIABLE] ?? '').trim();
	if (!url) throw new UsageError(`Give the PostgreSQL database with --to postgres://user:password@host:5432/database (or set ${DATABASE_URL_VARIABLE}).`);
	try {
		return postgresUrlConfig(url);
	} catch (error) {
		// Its message names the environment variable; name what was actually given.
		throw option === undefined ? error : new UsageError((error as Error).message.replaceAll(DATABASE_URL_VARIABLE, '--to'));
	}
}

main(process.argv.slice(2))
	.catch((error: Error) => {
		complain(`Error: ${error.message}`);
		if (error instanceof UsageError) complain(`\n${usage()}`);
		process.exitCode = 1;
	})
	.finally(() => closeAllStores());
