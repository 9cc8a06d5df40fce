import { migrate, migrations } from '../../lib/store/migrations';
import { closeAllStores, getStore } from '../../lib/store/db';
import { createTestDatabase, TestDatabase } from '../support/services';

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

it('is safe when several processes migrate at once', async () => {
	const db = await getStore(database.config);
	const results = await Promise.all([migrate(db), migrate(db), migrate(db)]);
	expect(results.flat()).toEqual([]);
});
