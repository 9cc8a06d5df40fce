/**
 * Moves a hotel from the embedded store (PGlite, in a folder) to PostgreSQL without losing a row:
 * the hotel outgrew one n8n process (queue mode), or wants PostgreSQL's backups.
 *
 * What it copies comes from the source's catalog, not a list in this file, so a table added by a
 * later migration is copied too; the migrations bookkeeping is the target's own. Both stores are
 * migrated first (getStore), so both hold the same schema, and the copy refuses if they do not.
 * The target must be empty — nothing there is ever overwritten or merged — though it may hold
 * other tables (n8n's own, in queue mode) that are left alone.
 *
 * Rows travel as JSON text (json_agg → json_populate_recordset), never as JS values, so bigint,
 * jsonb, timestamptz and text survive exactly. Everything happens in one target transaction that
 * also advances the sequences and checks counts and a fingerprint of every table against the
 * source before it commits: a copy is whole or not there at all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { escapeIdentifier } from 'pg';
import { HotelError } from '../errors';
import { defaultEmbeddedDir, getStore, type Db, type Queryable, type StoreConfig } from './db';
import { describeStore } from './instanceStore';

export interface CopyReport {
	/** Every table copied, in the order it was copied (parents before the tables that refer to them). */
	tables: Array<{ table: string; rows: number }>;
}

export interface CopyOptions {
	from: StoreConfig;
	to: StoreConfig;
	/** Told each step, for people watching a long copy. */
	log?: (line: string) => void;
	/** Rows per round trip (default 500: an e-mail row can carry a large HTML body). */
	batchRows?: number;
}

/** The migrations' own table: each store keeps its own record of which migrations it ran. */
const BOOKKEEPING = 'hotel_schema_migrations';

interface Column {
	name: string;
	type: string;
	/** A generated column is computed by the target, never inserted. */
	generated: boolean;
	/** The sequence that feeds this column (serial or identity), if any. */
	sequence: string | null;
}

interface Schema {
	/** Where the hotel tables are: the schema of the bookkeeping table (public unless search_path says otherwise). */
	name: string;
	tables: Map<string, Column[]>;
	sequences: string[];
}

export async function copyEmbeddedStore(opts: CopyOptions): Promise<CopyReport> {
	const { from, to } = opts;
	const log = opts.log ?? (() => undefined);
	if (from.kind !== 'embedded' || to.kind !== 'postgres') {
		throw new HotelError('invalid', `The copy goes from the embedded store to PostgreSQL only (asked: ${from.kind} to ${to.kind}).`, 'to');
	}
	const dir = path.resolve(from.dir ?? defaultEmbeddedDir());
	// getStore would create an empty store in a mistyped folder, and the copy would "succeed" with nothing.
	if (!existsSync(path.join(dir, 'PG_VERSION'))) {
		throw new HotelError('not_found', `There is no embedded hotel store in ${dir}. Give its folder with --from (HOTEL_EMBEDDED_DB_DIR, or <n8n user folder>/.n8n/hotel-integrations/pgdata).`, 'from');
	}
	const target = describeStore(to);
	log(`Opening the embedded store in ${dir} and ${target} (both are migrated to this version's schema).`);
	const source = await getStore({ kind: 'embedded', dir });
	const destination = await getStore(to);

	const sourceSchema = await readSchema(source);
	const targetSchema = await readSchema(destination);
	await requireSameSchema(source, destination, sourceSchema, targetSchema, target);
	const order = foreignKeyOrder([...sourceSchema.tables.keys()], await foreignKeys(destination, targetSchema.name));
	const expected = await fingerprints(source, sourceSchema, order);

	return destination.transaction(async (tx) => {
		await tx.query(`SET LOCAL lock_timeout = '10s'`);
		try {
			// Nobody may write (or read half a copy) until it is committed.
			await tx.query(`LOCK TABLE ${order.map((t) => qualify(targetSchema.name, t)).join(', ')} IN ACCESS EXCLUSIVE MODE`);
		} catch (error) {
			if ((error as { code?: string }).code !== '55P03') throw error;
			throw new HotelError('conflict', `${target} is in use (its hotel tables are locked by another session): stop n8n and anything else using it, then run the copy again. Nothing was changed.`);
		}
		await requireEmpty(tx, targetSchema.name, order, target);
		// Rows the migrations themselves wrote (the data version row) are replaced by the source's; no other row is ever deleted.
		for (const table of [...order].reverse()) {
			await tx.query(`DELETE FROM ${qualify(targetSchema.name, table)} t WHERE ${writtenByMigration(targetSchema.name)}`);
		}

		const tables: CopyReport['tables'] = [];
		for (const table of order) {
			log(`Copying ${table}…`);
			tables.push({ table, rows: await copyTable(source, tx, sourceSchema, targetSchema, table, opts.batchRows ?? 500) });
		}
		await advanceSequences(source, tx, sourceSchema, targetSchema);
		const copied = await fingerprints(tx, targetSchema, order);
		const differ = order.filter((t) => copied.get(t)?.rows !== expected.get(t)?.rows || copied.get(t)?.digest !== expected.get(t)?.digest);
		if (differ.length > 0) {
			throw new Error(`The copy does not match the embedded store in ${differ.join(', ')}; it was rolled back and ${target} is unchanged.`);
		}
		log(`Verified: every table holds the same rows as the embedded store.`);
		return { tables };
	});
}

/** Tables in an order that inserts every referenced row before the rows that refer to it. */
function foreignKeyOrder(tables: string[], references: Array<{ table: string; references: string }>): string[] {
	const parents = new Map(tables.map((t) => [t, new Set<string>()]));
	for (const r of references) {
		// A table that refers to itself (none does yet) is copied in its stored order.
		if (r.table !== r.references && parents.has(r.references)) parents.get(r.table)?.add(r.references);
	}
	const order: string[] = [];
	const placed = new Set<string>();
	while (order.length < tables.length) {
		const ready = [...tables].sort().filter((t) => !placed.has(t) && [...(parents.get(t) ?? [])].every((p) => placed.has(p)));
		if (ready.length === 0) throw new Error(`The foreign keys of ${tables.filter((t) => !placed.has(t)).join(', ')} form a cycle: no copy order exists.`);
		for (const t of ready) {
			order.push(t);
			placed.add(t);
		}
	}
	return order;
}

function qualify(schema: string, name: string): string {
	return `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;
}

async function readSchema(db: Queryable): Promise<Schema> {
	const found = await db.query<{ name: string }>(
		`SELECT n.nspname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1::text)`,
		[BOOKKEEPING],
	);
	const name = found.rows[0]?.name;
	if (!name) throw new Error(`No ${BOOKKEEPING} table: the store was not migrated.`);
	const columns = await db.query<{ table: string; column: string; type: string; generated: boolean; sequence: string | null }>(
		`SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attgenerated <> '' AS generated,
		        (SELECT s.relname FROM pg_class s WHERE s.oid = pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)::regclass) AS sequence
		 FROM pg_class c
		 JOIN pg_namespace n ON n.oid = c.relnamespace
		 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		 WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> $2
		 ORDER BY c.relname, a.attnum`,
		[name, BOOKKEEPING],
	);
	const tables = new Map<string, Column[]>();
	for (const r of columns.rows) {
		tables.set(r.table, [...(tables.get(r.table) ?? []), { name: r.column, type: r.type, generated: r.generated, sequence: r.sequence }]);
	}
	const sequences = await db.query<{ name: string }>(
		`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'S' ORDER BY 1`,
		[name],
	);
	return { name, tables, sequences: sequences.rows.map((r) => r.name) };
}

async function foreignKeys(db: Queryable, schema: string): Promise<Array<{ table: string; references: string }>> {
	const { rows } = await db.query<{ table: string; references: string }>(
		`SELECT c.relname AS table, p.relname AS references
		 FROM pg_constraint k
		 JOIN pg_class c ON c.oid = k.conrelid
		 JOIN pg_class p ON p.oid = k.confrelid
		 JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE k.contype = 'f' AND n.nspname = $1`,
		[schema],
	);
	return rows;
}

const signature = (columns: Column[]) => columns.map((c) => `${c.name} ${c.type}${c.generated ? ' generated' : ''}`).join(', ');

/** Same migrations, and every source table in the target with the same columns; the target may hold more (n8n's own). */
async function requireSameSchema(source: Db, destination: Db, from: Schema, to: Schema, target: string): Promise<void> {
	const versions = async (db: Db, schema: string) =>
		(await db.query<{ version: number }>(`SELECT version FROM ${qualify(schema, BOOKKEEPING)} ORDER BY version`)).rows.map((r) => r.version).join(',');
	const [sourceVersions, targetVersions] = [await versions(source, from.name), await versions(destination, to.name)];
	if (sourceVersions !== targetVersions) {
		throw new HotelError(
			'conflict',
			`${target} was migrated by another version of n8n-nodes-hotel-integrations (migrations ${targetVersions}; the embedded store has ${sourceVersions}). Copy with the version n8n runs, into an empty database. Nothing was copied.`,
		);
	}
	const differences: string[] = [];
	for (const [table, columns] of from.tables) {
		const there = to.tables.get(table);
		if (!there) differences.push(`${table} is missing`);
		else if (signature([...there].sort(byName)) !== signature([...columns].sort(byName))) differences.push(`${table} has other columns`);
	}
	if (differences.length > 0) {
		throw new HotelError('conflict', `The hotel tables of ${target} differ from the embedded store's (${differences.join('; ')}). Nothing was copied.`);
	}
}

const byName = (a: Column, b: Column) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Whether row `t` was written by a migration and not changed since: the data version row a
 * migration seeds carries that migration's transaction id (xmin), as its bookkeeping row does.
 */
const writtenByMigration = (schema: string) => `EXISTS (SELECT 1 FROM ${qualify(schema, BOOKKEEPING)} m WHERE m.xmin = t.xmin)`;

/** Every row not written by a migration is the target's own data, which the copy never touches. */
async function requireEmpty(tx: Queryable, schema: string, tables: string[], target: string): Promise<void> {
	const held: string[] = [];
	for (const table of tables) {
		const { rows } = await tx.query<{ n: string }>(
			`SELECT count(*)::text AS n FROM ${qualify(schema, table)} t WHERE NOT ${writtenByMigration(schema)}`,
		);
		if (rows[0].n !== '0') held.push(`${table}: ${rows[0].n} row${rows[0].n === '1' ? '' : 's'}`);
	}
	if (held.length > 0) {
		throw new HotelError(
			'conflict',
			`${target} already holds hotel records (${held.join(', ')}). The copy goes into an empty database only, so nothing is overwritten or mixed: create a new database and give its URL. Nothing was changed.`,
			'to',
		);
	}
}

/** Copies one table in batches walked by physical position (ctid): nothing else writes the source while we hold it. */
async function copyTable(source: Db, tx: Queryable, from: Schema, to: Schema, table: string, batchRows: number): Promise<number> {
	const columns = (to.tables.get(table) ?? []).filter((c) => !c.generated).map((c) => escapeIdentifier(c.name)).join(', ');
	const target = qualify(to.name, table);
	let after = '(0,0)';
	let copied = 0;
	for (;;) {
		const { rows } = await source.query<{ batch: string | null; last: string | null; n: number }>(
			`SELECT json_agg(s.r ORDER BY s.pos)::text AS batch, max(s.pos)::text AS last, count(*)::int AS n
			 FROM (SELECT x.ctid AS pos, to_json(x.*) AS r FROM ${qualify(from.name, table)} x WHERE x.ctid > $1::tid ORDER BY x.ctid LIMIT $2) s`,
			[after, batchRows],
		);
		const { batch, last, n } = rows[0];
		if (batch === null || last === null) return copied;
		// OVERRIDING SYSTEM VALUE: an identity column keeps the source's ids (it is a no-op elsewhere).
		await tx.query(`INSERT INTO ${target} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM json_populate_recordset(NULL::${target}, $1::json)`, [batch]);
		copied += n;
		after = last;
	}
}

/**
 * Each sequence continues where the source's would have: past its last value there, and past the
 * highest id copied. Not just the max: an id the source already handed out (a deleted event that
 * a reader's cursor is past) must never be handed out again.
 */
async function advanceSequences(source: Db, tx: Queryable, from: Schema, to: Schema): Promise<void> {
	for (const sequence of to.sequences) {
		if (!from.sequences.includes(sequence)) continue;
		const state = (await source.query<{ last: string; called: boolean }>(`SELECT last_value::text AS last, is_called AS called FROM ${qualify(from.name, sequence)}`)).rows[0];
		let next = BigInt(state.last) + (state.called ? 1n : 0n);
		for (const [table, columns] of to.tables) {
			for (const column of columns.filter((c) => c.sequence === sequence)) {
				const max = (await tx.query<{ max: string | null }>(`SELECT max(${escapeIdentifier(column.name)})::text AS max FROM ${qualify(to.name, table)}`)).rows[0].max;
				if (max !== null && BigInt(max) >= next) next = BigInt(max) + 1n;
			}
		}
		await tx.query(`SELECT setval($1::regclass, $2::bigint, false)`, [qualify(to.name, sequence), next.toString()]);
	}
}

/**
 * Per table: its row count and an order-free digest of its rows (the sum of a hash of each row's
 * text, columns by name), computed the same way on both sides under the same output settings.
 */
async function fingerprints(db: Db | Queryable, schema: Schema, tables: string[]): Promise<Map<string, { rows: string; digest: string }>> {
	const run = async (q: Queryable) => {
		for (const setting of [`TimeZone = 'UTC'`, `DateStyle = 'ISO, YMD'`, `IntervalStyle = 'postgres'`, `extra_float_digits = 1`, `bytea_output = 'hex'`]) {
			await q.query(`SET LOCAL ${setting}`);
		}
		const result = new Map<string, { rows: string; digest: string }>();
		for (const table of tables) {
			const columns = [...(schema.tables.get(table) ?? [])].sort(byName).map((c) => `x.${escapeIdentifier(c.name)}`);
			const { rows } = await q.query<{ rows: string; digest: string }>(
				`SELECT count(*)::text AS rows, COALESCE(sum(('x' || left(h, 15))::bit(60)::bigint), 0)::text AS digest
				 FROM (SELECT encode(sha256(convert_to(ROW(${columns.join(', ')})::text, 'UTF8')), 'hex') AS h FROM ${qualify(schema.name, table)} x) s`,
			);
			result.set(table, rows[0]);
		}
		return result;
	};
	// SET LOCAL needs a transaction: the source's own, or the copy's.
	return 'transaction' in db ? db.transaction(run) : run(db);
}
