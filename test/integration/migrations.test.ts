/**
 * Versioned migrations (lib/store/migrations.ts): each applied once, and safe when several
 * processes open the store at once — as an n8n main process and its workers do when they start
 * together on a new, empty database.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { migrate, migrations } from '../../lib/store/migrations';
import { closeAllStores, getStore } from '../../lib/store/db';
import { createTestDatabase, PG, TestDatabase } from '../support/services';

const ROOT = path.resolve(__dirname, '../..');

let database: TestDatabase;
beforeAll(async () => {
	database = await createTestDatabase('migrations');
});
afterAll(async () => {
	await closeAllStores();
	await database.drop();
});

it('applies every migration once, and a second run changes nothing', async () => {
	const db = await getStore(database.config); // opening migrates
	expect(await migrate(db)).toEqual([]);
	const applied = await db.query<{ version: number }>('SELECT version FROM hotel_schema_migrations ORDER BY version');
	expect(applied.rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
	const tables = await db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
	expect(tables.rows.map((r) => r.tablename)).toEqual(
		expect.arrayContaining(['payments', 'processed_events', 'reservation_billing', 'hotel_schema_migrations']),
	);
});

describe('several processes migrate a new, empty database at once', () => {
	const PROCESSES = 8;
	let fresh: TestDatabase;
	let reference: TestDatabase;
	let scratch: string;

	beforeAll(async () => {
		fresh = await createTestDatabase('migrate_fresh');
		reference = await createTestDatabase('migrate_ref');
		scratch = mkdtempSync(path.join(tmpdir(), 'migrate-'));
	});
	afterAll(async () => {
		await closeAllStores();
		await fresh?.drop();
		await reference?.drop();
		if (scratch) rmSync(scratch, { recursive: true, force: true });
	});

	it('records every migration exactly once and builds the same schema as one serial run', async () => {
		// Each process loads the store, says "ready", and opens it (which migrates) only on "go", so
		// all of them reach the empty database together instead of one after the other.
		const script = path.join(scratch, 'open-store.ts');
		writeFileSync(
			script,
			`import { getStore, closeAllStores } from ${JSON.stringify(path.join(ROOT, 'lib/store/db'))};
const config = JSON.parse(process.env.HOTEL_TEST_STORE as string);
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
	try {
		const db = await getStore(config);
		const { rows } = await db.query<{ version: number }>('SELECT version FROM hotel_schema_migrations ORDER BY version');
		process.stdout.write('versions ' + JSON.stringify(rows.map((r) => r.version)) + '\\n');
		await closeAllStores();
		process.exit(0);
	} catch (error) {
		process.stderr.write(String((error as Error)?.stack ?? error) + '\\n');
		process.exit(1);
	}
});
`,
		);
		const loader = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
		const children = Array.from({ length: PROCESSES }, () => {
			const child = spawn(process.execPath, ['--import', loader, script], {
				cwd: ROOT,
				env: { ...process.env, HOTEL_TEST_STORE: JSON.stringify(fresh.config) },
				stdio: ['pipe', 'pipe', 'pipe'],
			});
			const out = { stdout: '', stderr: '' };
			child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
			child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
			const ready = new Promise<void>((resolve, reject) => {
				const check = () => out.stdout.includes('ready\n') && resolve();
				child.stdout.on('data', check);
				child.once('exit', (code) => reject(new Error(`process exited (${code}) before it was ready: ${out.stderr}`)));
			});
			const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
			return { child, out, ready, exited };
		});
		let codes: Array<number | null>;
		try {
			await Promise.all(children.map((c) => c.ready));
			for (const c of children) c.child.stdin.write('go\n');
			codes = await Promise.all(children.map((c) => c.exited));
		} finally {
			for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
		}

		// The same migrations, once, by one opener: the schema the concurrent openings must have built.
		await getStore(reference.config);

		await withClient(fresh.name, async (c) => {
			const recorded = await c.query<{ version: number; name: string; times: number }>(
				'SELECT version, min(name) AS name, count(*)::int AS times FROM hotel_schema_migrations GROUP BY version ORDER BY version',
			);
			expect(recorded.rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name, times: 1 })));
		});

		const [got, expected] = await Promise.all([schemaOf(fresh.name), schemaOf(reference.name)]);
		// Every table and column the migrations' SQL creates is there (in the reference too, so it
		// is a real yardstick)…
		const declared = declaredSchema();
		expect(declared.tables.length).toBeGreaterThan(migrations.length / 2);
		for (const schema of [got, expected]) {
			expect(schema.tables).toEqual(expect.arrayContaining(declared.tables));
			expect(schema.columns.map((c) => `${c.table}.${c.column}`)).toEqual(expect.arrayContaining(declared.columns));
		}
		// …and the database migrated by several processes at once has exactly the reference's schema.
		expect(got.tables).toEqual(expected.tables);
		expect(got.columns).toEqual(expected.columns);
		expect(got.indexes).toEqual(expected.indexes);
		expect(got.constraints).toEqual(expected.constraints);

		// Every process opened the store — none failed on another's half-made schema (n8n would fail
		// that process's executions until a later one opened the store again) — and each saw every
		// migration applied once it had it.
		expect(children.map((c, i) => ({ exit: codes[i], stderr: c.out.stderr }))).toEqual(children.map(() => ({ exit: 0, stderr: '' })));
		const all = migrations.map((m) => m.version);
		for (const c of children) expect(c.out.stdout).toContain(`versions ${JSON.stringify(all)}\n`);
	});
});

async function withClient<T>(database: string, fn: (c: Client) => Promise<T>): Promise<T> {
	const client = new Client({ ...PG, database });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

/** Tables, columns, indexes and constraints of the public schema, in a stable order. */
function schemaOf(database: string) {
	return withClient(database, async (c) => {
		const tables = await c.query<{ table_name: string }>(
			"SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
		);
		const columns = await c.query<{ table: string; column: string; type: string; nullable: string; default: string | null }>(
			`SELECT table_name AS table, column_name AS column, data_type AS type, is_nullable AS nullable, column_default AS default
			 FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
		);
		const indexes = await c.query<{ tablename: string; indexname: string; indexdef: string }>(
			"SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2",
		);
		const constraints = await c.query<{ table: string; name: string; def: string }>(
			`SELECT t.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS def
			 FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
			 WHERE n.nspname = 'public' ORDER BY 1, 2`,
		);
		return { tables: tables.rows.map((r) => r.table_name), columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
	});
}

/**
 * The tables and columns the migrations' SQL declares — each CREATE TABLE's column definitions and
 * each ADD COLUMN, as "table.column" — plus the migrations table that migrate() itself creates.
 */
function declaredSchema(): { tables: string[]; columns: string[] } {
	const tables = new Set(['hotel_schema_migrations']);
	const columns = new Set<string>();
	const notColumns = /^(PRIMARY|UNIQUE|CHECK|CONSTRAINT|FOREIGN|EXCLUDE)$/i;
	for (const migration of migrations) {
		const sql = migration.sql.replace(/--.*$/gm, '');
		for (const m of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)\s*\(/gi)) {
			const table = m[1];
			tables.add(table);
			// The body up to the parenthesis that closes the one after the name; one definition per
			// top-level comma (a continuation line such as "CHECK (...)" belongs to the column before).
			let depth = 1;
			let part = '';
			const parts: string[] = [];
			for (const ch of sql.slice(m.index! + m[0].length)) {
				if (ch === '(') depth++;
				if (ch === ')' && --depth === 0) break;
				if (ch === ',' && depth === 1) {
					parts.push(part);
					part = '';
				} else part += ch;
			}
			parts.push(part);
			for (const definition of parts) {
				const name = definition.trim().split(/\s+/)[0];
				if (name && !notColumns.test(name)) columns.add(`${table}.${name}`);
			}
		}
		for (const m of sql.matchAll(/ALTER TABLE (\w+) ADD COLUMN (?:IF NOT EXISTS )?(\w+)/gi)) columns.add(`${m[1]}.${m[2]}`);
	}
	return { tables: [...tables].sort(), columns: [...columns].sort() };
}
