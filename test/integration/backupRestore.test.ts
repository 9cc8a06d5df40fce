/**
 * The backup and restore commands the README gives hotel IT, run as written: back up, destroy,
 * restore, and every table of the store holds the same rows (compared by a digest of each table's
 * rows, so a table added later is covered too). PostgreSQL with pg_dump / pg_restore; the embedded
 * store by archiving its folder while no process has it open.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { seedDemoHotel } from '../../scripts/sandbox';
import { BillingLedger } from '../../lib/payments/billingLedger';
import { closeAllStores, getStore, type StoreConfig } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { databaseUrl } from '../support/workflows';

/** Per table of the store: its row count and a digest of its rows. */
async function snapshot(config: StoreConfig): Promise<Record<string, string>> {
	const db = await getStore(config);
	const tables = (await db.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")).rows;
	const result: Record<string, string> = {};
	for (const { name } of tables) {
		const { rows } = await db.query<{ n: number; digest: string | null }>(`SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM "${name}" t`);
		result[name] = `${rows[0].n} rows ${rows[0].digest ?? '-'}`;
	}
	return result;
}

async function fill(config: StoreConfig): Promise<void> {
	const { reservationId } = await seedDemoHotel(config, { guestReservation: true });
	await new BillingLedger(await getStore(config)).recordOfflinePayment({ reservationId: reservationId!, method: 'cash', currency: 'EUR', amount: 24000, reference: "till #1 — Zoë's" });
}

const run = (command: string, args: string[]) => execFileSync(command, args, { stdio: 'pipe' });

describe('PostgreSQL: pg_dump, then pg_restore into the emptied database', () => {
	let database: TestDatabase;
	let folder: string;
	beforeAll(async () => {
		database = await createTestDatabase('backup');
		folder = mkdtempSync(path.join(tmpdir(), 'hotel-backup-'));
	});
	afterAll(async () => {
		await closeAllStores();
		await database.drop();
		rmSync(folder, { recursive: true, force: true });
	});

	it('gives back every row', async () => {
		await fill(database.config);
		const before = await snapshot(database.config);
		expect(Object.keys(before)).toEqual(expect.arrayContaining(['reservations', 'payments', 'hotel_events', 'inventory_nights', 'hotel_schema_migrations']));
		await closeAllStores();

		const url = databaseUrl(database);
		const dump = path.join(folder, 'hotel.dump');
		run('pg_dump', ['--format=custom', `--file=${dump}`, url]);
		// Destroyed: the database is dropped and made again, empty.
		await database.drop();
		const admin = new Client({ ...database.config, database: 'postgres' });
		await admin.connect();
		await admin.query(`CREATE DATABASE ${database.name}`);
		await admin.end();
		run('pg_restore', ['--no-owner', `--dbname=${url}`, dump]);

		expect(await snapshot(database.config)).toEqual(before);
	});
});

describe('embedded store: archive its folder with n8n stopped, then unpack it in place', () => {
	let parent: string;
	beforeAll(() => {
		parent = mkdtempSync(path.join(tmpdir(), 'hotel-embedded-backup-'));
	});
	afterAll(async () => {
		await closeAllStores();
		rmSync(parent, { recursive: true, force: true });
	});

	it('gives back every row', async () => {
		const config: StoreConfig = { kind: 'embedded', dir: path.join(parent, 'pgdata') };
		await fill(config);
		const before = await snapshot(config);
		await closeAllStores(); // "stop n8n": nobody has the folder open

		const archive = path.join(parent, 'hotel-store.tgz');
		run('tar', ['-czf', archive, '-C', parent, 'pgdata']);
		rmSync(path.join(parent, 'pgdata'), { recursive: true, force: true });
		expect(existsSync(path.join(parent, 'pgdata'))).toBe(false);
		run('tar', ['-xzf', archive, '-C', parent]);

		expect(await snapshot(config)).toEqual(before);
	});
});
