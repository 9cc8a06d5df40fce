/**
 * Moving a hotel from the embedded store to PostgreSQL keeps every record: an embedded store
 * filled through the real domain code (bookings, a multi-room and channel reservations, payments,
 * mappings, the OTA push and pull, e-mail, events, health) is copied into a fresh database, and
 * every table the store has — read from the catalog, so a table added later is checked too — holds
 * the same rows there, byte for byte. New rows take new ids; a database that already holds
 * records is refused untouched; and the command hotel IT runs does the same.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HotelService } from '../../lib/booking/hotelService';
import { ChannelMappings } from '../../lib/channels/mapping';
import { pullReservations } from '../../lib/channels/pull';
import { pushChanges } from '../../lib/channels/push';
import { composeEmail } from '../../lib/email/compose';
import { EmailOutbox } from '../../lib/email/outbox';
import { latestHotelEvents, takeHotelEvents } from '../../lib/events/hotelEvents';
import { recordResults } from '../../lib/health/streaks';
import { HotelError } from '../../lib/errors';
import type { Reservation } from '../../lib/inventory/reservations';
import { BillingLedger } from '../../lib/payments/billingLedger';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { copyEmbeddedStore } from '../../lib/store/copyStore';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { PostgresEventClaims } from '../../lib/webhooks/eventClaims';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { peerConnection } from '../support/channels';
import { day } from '../support/days';
import { createTestDatabase, PG, type TestDatabase } from '../support/services';

// Unicode, quotes, a backslash and SQL metacharacters: what a naive copy would mangle or choke on.
const GUEST = `Zoë "Ze" O'Brien-Łukasz 小林 😀 \\ 100%_; DROP TABLE reservations; --`;

let dir: string;
let source: Db;
let target: TestDatabase;
let cliTarget: TestDatabase;
let peer: OtaPeer;
const made: Record<'single' | 'family' | 'cancelled' | 'channel' | 'pulled', Reservation> = {} as never;

beforeAll(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'store-copy-'));
	source = await getStore({ kind: 'embedded', dir });
	target = await createTestDatabase('copy');
	cliTarget = await createTestDatabase('copycli');
	// No XSD check here: the channel tests do that; this one needs the push and pull only to write their rows.
	peer = await startOtaPeer({ profile: 'booking', hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret', validate: false });
	resetPartnerPolicies();
	await fill(source);
}, 120_000);
afterAll(async () => {
	await peer.stop();
	await closeAllStores();
	await target.drop();
	await cliTarget.drop();
	rmSync(dir, { recursive: true, force: true });
});

/** A hotel that has been running for a while, written through the same code the nodes use. */
async function fill(db: Db): Promise<void> {
	const hotel = new HotelService(db);
	await takeHotelEvents(db, 'calendar'); // a reader's cursor, before the events it will read
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double — Seeblick', maxOccupancy: 2 });
	await hotel.catalog.upsertRoomType({ code: 'FAM', name: 'Family room', maxOccupancy: 4 });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
	for (const roomType of ['DBL', 'FAM']) {
		await hotel.setInventory({ roomType, from: day(1), to: day(40), allotment: 5 });
		await hotel.setRates({ roomType, ratePlan: 'BAR', from: day(1), to: day(40), amount: roomType === 'DBL' ? 10000 : 18000 });
	}
	await new ChannelMappings(db, 'booking').set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
		{ kind: 'room_type', hotelCode: 'FAM', channelCode: 'R-FAM' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-BAR' },
	]);
	expect((await pushChanges(db, peerConnection('booking', peer))).status).toBe('pushed');

	made.single = await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(5), departure: day(7), adults: 2, guest: { name: GUEST, email: 'zoe@example.com', phone: '+49 30 123456' } });
	expect(made.single.guest.name).toBe(GUEST);
	made.single = await hotel.update(made.single.id, { departure: day(8) });
	made.family = await hotel.create({
		arrival: day(10),
		departure: day(12),
		roomStays: [
			{ key: '1', roomType: 'DBL', ratePlan: 'BAR', adults: 2 },
			{ key: '2', roomType: 'FAM', ratePlan: 'BAR', adults: 2, children: 2, childAges: [4, 9], guestName: 'Kinder Müller' },
		],
		comments: ["Ankunft ~23:00, 'spät'"],
		specialRequests: ['Kinderbett'],
		guest: { name: 'Familie Müller' },
	});
	made.cancelled = await hotel.cancel((await hotel.create({ roomType: 'FAM', ratePlan: 'BAR', arrival: day(15), departure: day(16), adults: 1, guest: { name: 'Ada Lovelace' } })).id);
	made.channel = (
		await hotel.applyChannelChange({
			channel: 'expedia',
			channelReservationId: 'E-4711',
			channelVersion: '1',
			action: 'book',
			stay: {
				arrival: day(20),
				departure: day(23),
				roomStays: [
					{ key: 'a', roomType: 'DBL', ratePlan: 'BAR', adults: 2, amount: 31000, taxes: 2100, currency: 'EUR' },
					{ key: 'b', roomType: 'DBL', ratePlan: 'BAR', adults: 1, amount: 2_500_000_000_000, currency: 'EUR' },
				],
				paymentModel: 'virtual_card',
				commission: 4650,
				guest: { name: 'Grace Hopper', email: 'grace@example.com' },
			},
		})
	).reservation;
	peer.queueReservation({ channelReservationId: 'C-1', action: 'book', roomType: 'R-DBL', ratePlan: 'RP-BAR', arrival: day(25), departure: day(27), rooms: 1, adults: 2, children: 0, amount: 20000, currency: 'EUR', guest: { name: 'Linus Torvalds' }, card: { brand: 'VI', last4: '1111' } });
	peer.queueReservation({ channelReservationId: 'C-BAD', action: 'book', roomType: 'R-UNKNOWN', arrival: day(25), departure: day(26), rooms: 1, adults: 1, children: 0, guest: { name: 'Nobody' } });
	const pulled = await pullReservations(db, hotel, peerConnection('booking', peer));
	expect(pulled.map((r) => [r.ack.channelReservationId, r.error === undefined])).toEqual([['C-1', true], ['C-BAD', false]]);
	made.pulled = pulled[0].change!.reservation;

	const ledger = new BillingLedger(db);
	await ledger.recordOfflinePayment({ reservationId: made.single.id, method: 'cash', currency: 'EUR', amount: 20000, reference: 'desk #1' });
	await ledger.recordPaymentIntent({ id: 'pi_3Q0copy', reservationId: made.family.id, currency: 'eur', amount: 56000, status: 'requires_payment_method' });
	await ledger.apply({ paymentId: 'pi_3Q0copy', reservationId: made.family.id, currency: 'eur', amount: 56000, amountReceived: 56000, status: 'succeeded' });
	// What a calendar catch-up last showed of a reservation (calendar_sync_state).
	await db.query("INSERT INTO calendar_sync_state (calendar, reservation_id, version) VALUES ('hotelGoogleServiceAccountApi:c1:primary', $1, 1)", [made.single.id]);
	// A Square payment with a refund Square reported on its own (payment_refunds).
	await ledger.apply({ paymentId: 'square:copySq1', gateway: 'square', reservationId: made.single.id, currency: 'eur', amount: 3000, amountReceived: 3000, status: 'succeeded' });
	await ledger.apply({ paymentId: 'square:copySq1', gateway: 'square', currency: 'eur', status: 'succeeded', refund: { id: 'square:copyRf1', amount: 1000 } });
	// A payment naming a reservation the hotel does not have (unmatched_payments).
	await ledger.apply({ paymentId: 'pi_3Q0stray', reservationId: 'R-NOT-HERE', currency: 'eur', amount: 900, amountReceived: 900, status: 'succeeded' }, 'stripe', undefined, 'evt_stray');

	await new EmailOutbox(db).enqueue(composeEmail({ template: 'reservationConfirmation', hotel: { name: 'Hotel Seeblick' }, source: made.single, to: 'zoe@example.com' }));
	const claims = new PostgresEventClaims(db);
	const claim = await claims.claim('stripe', 'evt_1copy', { leaseMs: 60_000, eventType: 'payment_intent.succeeded' });
	if (claim.outcome === 'claimed') await claims.complete('stripe', 'evt_1copy', claim.token);
	await recordResults(db, [{ integration: 'smtp', status: 'failed', latencyMs: 12.5, error: 'ECONNREFUSED 127.0.0.1:25', checkedAt: new Date().toISOString() }], { threshold: 3 });
}

/** The store's tables, from its catalog (every table but the migrations' own bookkeeping). */
async function tablesOf(db: Db): Promise<string[]> {
	const { rows } = await db.query<{ name: string }>(
		`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'hotel_schema_migrations' ORDER BY 1`,
	);
	return rows.map((r) => r.name);
}

async function countsOf(db: Db, tables: string[]): Promise<Record<string, number>> {
	const counts: Record<string, number> = {};
	for (const t of tables) counts[t] = Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${t}"`)).rows[0].n);
	return counts;
}

/** Every row of a table as jsonb text (timestamps in UTC), sorted: two stores agree only if their rows are identical. */
async function rowsOf(db: Db, table: string): Promise<string[]> {
	return db.transaction(async (tx) => {
		await tx.query(`SET LOCAL TimeZone = 'UTC'`);
		return (await tx.query<{ r: string }>(`SELECT to_jsonb(t)::text AS r FROM "${table}" t`)).rows.map((row) => row.r).sort();
	});
}

it('copies every table of the embedded store into an empty PostgreSQL, row for row', async () => {
	const tables = await tablesOf(source);
	expect(tables.length).toBeGreaterThan(10);
	const before = await countsOf(source, tables);
	// An empty table would prove nothing about its copy: fill it in fill() above.
	expect(tables.filter((t) => before[t] === 0)).toEqual([]);

	const lines: string[] = [];
	const report = await copyEmbeddedStore({ from: { kind: 'embedded', dir }, to: target.config, log: (line) => lines.push(line), batchRows: 7 });
	expect(lines.some((l) => l.startsWith('Verified'))).toBe(true);

	const db = await getStore(target.config);
	expect(await tablesOf(db)).toEqual(tables);
	expect(await countsOf(db, tables)).toEqual(before);
	expect(Object.fromEntries(report.tables.map((t) => [t.table, t.rows]))).toEqual(before);
	// Parents before the tables that refer to them.
	const at = (t: string) => report.tables.findIndex((r) => r.table === t);
	expect(at('reservations')).toBeLessThan(at('reservation_rooms'));
	expect(at('room_types')).toBeLessThan(at('inventory_nights'));
	for (const t of tables) expect({ table: t, rows: await rowsOf(db, t) }).toEqual({ table: t, rows: await rowsOf(source, t) });
});

it('reads the same reservations, payments, e-mails and events through the domain code', async () => {
	const db = await getStore(target.config);
	const [there, here] = [new HotelService(db), new HotelService(source)];
	for (const r of Object.values(made)) expect(await there.book.get(r.id)).toEqual(await here.book.get(r.id));
	const copied = await there.book.get(made.single.id);
	expect(copied.guest).toEqual({ name: GUEST, email: 'zoe@example.com', phone: '+49 30 123456' });
	expect(copied.version).toBe(2);
	const family = await there.book.get(made.family.id);
	expect(family.roomStays.map((r) => [r.key, r.roomType, r.childAges, r.guestName])).toEqual([
		['1', 'DBL', [], null],
		['2', 'FAM', [4, 9], 'Kinder Müller'],
	]);
	expect((await there.book.get(made.channel.id)).roomStays[1].amount).toBe(2_500_000_000_000);
	expect(await there.book.list({ limit: 1000 })).toEqual(await here.book.list({ limit: 1000 }));
	for (const id of [made.single.id, made.family.id]) {
		expect(await new BillingLedger(db).paymentsOf(id)).toEqual(await new BillingLedger(source).paymentsOf(id));
		expect(await new BillingLedger(db).billingOf(id)).toEqual(await new BillingLedger(source).billingOf(id));
	}
	expect(await new ChannelMappings(db, 'booking').list()).toEqual(await new ChannelMappings(source, 'booking').list());
	expect(await latestHotelEvents(db, { limit: 100 })).toEqual(await latestHotelEvents(source, { limit: 100 }));
	expect(await new EmailOutbox(db).counts()).toEqual({ queued: 1, sending: 0, sent: 0, failed: 0 });
});

const countEvents = async (db: Db) => Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM hotel_events`)).rows[0].n);

it('gives new rows new ids: every sequence continues past the copied rows', async () => {
	const db = await getStore(target.config);
	const maxOf = async (d: Db, table: string) => BigInt((await d.query<{ m: string }>(`SELECT max(id)::text AS m FROM "${table}"`)).rows[0].m);
	const copiedMax = { history: await maxOf(db, 'reservation_history'), events: await maxOf(db, 'hotel_events'), changes: await maxOf(db, 'inventory_changes') };
	const hotel = new HotelService(db);
	// The cursor the calendar reader had in the embedded store still stands: it reads what happened since.
	expect((await takeHotelEvents(db, 'calendar')).length).toBe(await countEvents(source));
	const fresh = await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(30), departure: day(31), adults: 1, guest: { name: 'After the move' } });
	expect(await maxOf(db, 'reservation_history')).toBeGreaterThan(copiedMax.history);
	expect(await maxOf(db, 'hotel_events')).toBeGreaterThan(copiedMax.events);
	expect(await maxOf(db, 'inventory_changes')).toBeGreaterThan(copiedMax.changes);
	await new EmailOutbox(db).enqueue(composeEmail({ template: 'reservationConfirmation', hotel: { name: 'Hotel Seeblick' }, source: fresh, to: 'after@example.com' }));
	await new BillingLedger(db).recordOfflinePayment({ reservationId: fresh.id, method: 'cash', currency: 'EUR', amount: 10000, reference: 'desk #2' });
	expect((await takeHotelEvents(db, 'calendar')).map((e) => e.event)).toEqual(['reservation.created', 'payment.succeeded']);
});

it('refuses a database that already holds records, and changes nothing there', async () => {
	const db = await getStore(target.config);
	const tables = await tablesOf(db);
	const before = { counts: await countsOf(db, tables), reservations: await rowsOf(db, 'reservations') };
	const refused = copyEmbeddedStore({ from: { kind: 'embedded', dir }, to: target.config });
	await expect(refused).rejects.toBeInstanceOf(HotelError);
	await expect(refused).rejects.toThrow(/already holds hotel records \(.*reservations: \d+ rows.*\)\..*Nothing was changed/);
	expect(await countsOf(db, tables)).toEqual(before.counts);
	expect(await rowsOf(db, 'reservations')).toEqual(before.reservations);

	await expect(copyEmbeddedStore({ from: target.config, to: target.config })).rejects.toThrow(/from the embedded store to PostgreSQL only/);
	await expect(copyEmbeddedStore({ from: { kind: 'embedded', dir }, to: { kind: 'embedded', dir } })).rejects.toThrow(/from the embedded store to PostgreSQL only/);
	await expect(copyEmbeddedStore({ from: { kind: 'embedded', dir: path.join(dir, 'typo') }, to: cliTarget.config })).rejects.toThrow(/no embedded hotel store in/);
});

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn('./node_modules/.bin/tsx', ['lib/store/copyStoreCli.ts', ...args], { cwd: path.resolve(__dirname, '../..'), env: { ...process.env, ...env } });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

it('is a command: copies with counts, then refuses to copy again (exit code 1)', async () => {
	const expected = await countsOf(source, await tablesOf(source));
	// The embedded store has one opener: this process lets go of it, as n8n must before a copy.
	await closeAllStores();
	const auth = PG.password ? `${encodeURIComponent(PG.user)}:${encodeURIComponent(PG.password)}` : encodeURIComponent(PG.user);
	const url = `postgres://${auth}@${PG.host}:${PG.port}/${cliTarget.name}`;

	const first = await runCli(['--from', dir], { HOTEL_DATABASE_URL: url });
	expect(first.stderr).toBe('');
	expect(first.code).toBe(0);
	expect(first.stdout).toMatch(/n8n must be stopped/);
	for (const [table, rows] of Object.entries(expected)) expect(first.stdout).toMatch(new RegExp(`^  ${table} +${rows}$`, 'm'));
	const total = Object.values(expected).reduce((a, b) => a + b, 0);
	expect(first.stdout).toContain(`Copied ${total} rows in ${Object.keys(expected).length} tables from ${dir} to PostgreSQL at ${PG.host}:${PG.port}/${cliTarget.name}.`);
	const db = await getStore(cliTarget.config);
	expect(await countsOf(db, Object.keys(expected))).toEqual(expected);
	await closeAllStores();

	const again = await runCli(['--from', dir, '--to', url], { HOTEL_DATABASE_URL: '' });
	expect(again.code).toBe(1);
	expect(again.stderr).toMatch(/^Error: PostgreSQL at .* already holds hotel records/);
	expect(await countsOf(await getStore(cliTarget.config), Object.keys(expected))).toEqual(expected);

	const usage = await runCli(['--from', dir], { HOTEL_DATABASE_URL: '' });
	expect(usage.code).toBe(1);
	expect(usage.stderr).toMatch(/Give the PostgreSQL database with --to/);
}, 180_000);
