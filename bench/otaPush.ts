/**
 * OTA part (a), push efficiency, without n8n: a fresh PostgreSQL database with a year of
 * inventory and rates, ONE pushChanges() to the local OTA peer (Booking.com profile) from the
 * initial state, compared with the naive push of one request per night and room type (and rate plan).
 *
 * The peer runs with validate: false (no XSD check per message) to keep the run short; the
 * messages are the same either way. The naive push is not sent: its messages are built with the
 * same builders (all of them, it takes a second or two) and their bytes summed.
 *
 * Then the audit (lib/channels/audit.ts) of the next AUDIT_WINDOW nights of the same hotel: once
 * in step, then after EDITS silent extranet edits with Repair on, then once more. Its repair is
 * compared with the blind alternative, re-pushing the whole window's state (built, not sent).
 */
import { HotelService } from '../lib/booking/hotelService';
import { readSyncLog } from '../lib/channels/channelClient';
import { ChannelMappings } from '../lib/channels/mapping';
import { PROFILES } from '../lib/channels/profiles';
import { ariMessages, pushChanges, type PushReport } from '../lib/channels/push';
import { auditChannel } from '../lib/channels/audit';
import type { NightChange } from '../lib/inventory/changeLog';
import { addDays, today } from '../lib/inventory/dates';
import { buildHotelAvailNotifRQ, buildHotelRateAmountNotifRQ } from '../lib/ota';
import { closeAllStores, getStore, type Db } from '../lib/store/db';
import { startOtaPeer } from '../test/peers/otaPeer';
import { createTestDatabase } from '../test/support/services';
import { seededRandom } from '../test/support/seededRandom';

export const PUSH_REQUEST_GOAL = 100;

const ROOM_TYPES = 20;
const RATE_PLANS = ['BAR', 'FLEX', 'NRF'];
const NIGHTS = 365;
const STOP_SELLS_PER_ROOM_TYPE = 5;
const SEED = 20240601;
const HOTEL = 'HOTEL1';
const CREDENTIALS = { username: 'hotel', password: 's3cret' };
const SETUP_CONCURRENCY = 8;
const AUDIT_WINDOW = 30;
const EDITS = 12;

export interface OtaPushReport {
	setup: { roomTypes: number; ratePlans: number; nights: number; stopSells: number; storeCalls: number; seconds: number; seed: number };
	peer: { profile: 'booking'; validate: false };
	push: PushReport & { seconds: number };
	ours: { requests: number; bytes: number; syncLogRows: number; syncLogBytes: number; byMessage: Record<string, { requests: number; bytes: number }> };
	naive: { requests: number; availRequests: number; rateRequests: number; bytes: number; bytesMethod: string; buildSeconds: number };
	ratios: { requests: number; bytes: number };
	goalMet: boolean;
	check: { availabilityNights: number; rateNights: number; mismatches: number; examples: string[]; passed: boolean };
	audit: {
		nights: number;
		roomTypeNights: number;
		inStep: { seconds: number; requests: number; drift: number };
		edited: { edits: number; seconds: number; drift: number; differences: number; repairMessages: number; repairBytes: number };
		after: { seconds: number; drift: number };
		/** Re-pushing the whole window instead: messages and bytes, built with the push's own builder. */
		blindRepush: { messages: number; bytes: number };
		ratios: { bytes: number; messages: number };
		passed: boolean;
	};
	passed: boolean;
}

const roomCode = (i: number) => `RT${String(i + 1).padStart(2, '0')}`;
const channelRoom = (code: string) => `R-${code}`;
const channelRate = (code: string) => `RP-${code}`;

const weekend = (night: string) => {
	const day = new Date(`${night}T00:00:00Z`).getUTCDay();
	return day === 5 || day === 6; // Fri, Sat
};

/** Consecutive nights with equal values, as inclusive ranges. */
function runs<T>(nights: string[], value: (night: string, i: number) => T): Array<{ from: string; to: string; value: T }> {
	const out: Array<{ from: string; to: string; value: T }> = [];
	nights.forEach((night, i) => {
		const v = value(night, i);
		const last = out[out.length - 1];
		if (last && JSON.stringify(last.value) === JSON.stringify(v)) last.to = night;
		else out.push({ from: night, to: night, value: v });
	});
	return out;
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) await fn(items[next++]);
		}),
	);
}

export async function runOtaPush(progress: (m: string) => void): Promise<OtaPushReport> {
	const database = await createTestDatabase('bench_ota');
	let db: Db | undefined;
	const peer = await startOtaPeer({ profile: 'booking', hotelCode: HOTEL, ...CREDENTIALS, validate: false });
	try {
		db = await getStore(database.config);
		const hotel = new HotelService(db);
		const first = today();
		const nights = Array.from({ length: NIGHTS }, (_, i) => addDays(first, i));
		const rooms = Array.from({ length: ROOM_TYPES }, (_, i) => roomCode(i));
		const random = seededRandom(SEED);
		const stopSells = new Map<string, Set<number>>();
		for (const room of rooms) {
			const set = new Set<number>();
			while (set.size < STOP_SELLS_PER_ROOM_TYPE) set.add(Math.floor(random() * NIGHTS));
			stopSells.set(room, set);
		}

		progress(`OTA push: seeding ${ROOM_TYPES} room types × ${RATE_PLANS.length} rate plans × ${NIGHTS} nights...`);
		const setupStarted = performance.now();
		for (const room of rooms) await hotel.catalog.upsertRoomType({ code: room, name: `Room ${room}` });
		for (const plan of RATE_PLANS) await hotel.catalog.upsertRatePlan({ code: plan, name: plan, currency: 'EUR' });
		let storeCalls = 0;
		await inParallel(rooms, SETUP_CONCURRENCY, async (room) => {
			const closed = stopSells.get(room)!;
			for (const r of runs(nights, (night, i) => ({ allotment: weekend(night) ? 8 : 10, stopSell: closed.has(i) }))) {
				await hotel.setInventory({ roomType: room, from: r.from, to: r.to, ...r.value });
				storeCalls++;
			}
			for (const [k, plan] of RATE_PLANS.entries()) {
				for (const r of runs(nights, (night) => (weekend(night) ? 13000 : 10000) + 1000 * k)) {
					await hotel.setRates({ roomType: room, ratePlan: plan, from: r.from, to: r.to, amount: r.value });
					storeCalls++;
				}
			}
		});
		await new ChannelMappings(db, 'booking').set([
			...rooms.map((code) => ({ kind: 'room_type' as const, hotelCode: code, channelCode: channelRoom(code) })),
			...RATE_PLANS.map((code) => ({ kind: 'rate_plan' as const, hotelCode: code, channelCode: channelRate(code) })),
		]);
		const setupSeconds = (performance.now() - setupStarted) / 1000;

		progress('OTA push: one pushChanges() from the initial state...');
		const conn = { channel: 'booking', profile: PROFILES.booking, baseUrl: peer.url, hotelCode: HOTEL, ...CREDENTIALS };
		const pushStarted = performance.now();
		const pushed = await pushChanges(db, conn);
		const pushSeconds = (performance.now() - pushStarted) / 1000;

		const byMessage: OtaPushReport['ours']['byMessage'] = {};
		for (const r of peer.requests) {
			const key = r.root ?? r.path;
			byMessage[key] ??= { requests: 0, bytes: 0 };
			byMessage[key].requests++;
			byMessage[key].bytes += r.bytes;
		}
		const log = (await readSyncLog(db, 'booking', 1000)).filter((e) => e.direction === 'push');
		const ours = {
			requests: peer.requests.length,
			bytes: peer.requests.reduce((n, r) => n + r.bytes, 0),
			syncLogRows: log.length,
			syncLogBytes: log.reduce((n, e) => n + (e.bytes ?? 0), 0),
			byMessage,
		};

		progress('OTA push: building the naive single-night messages...');
		const naive = naivePush(rooms, nights, stopSells);
		const check = await compareView(db, peer.view, rooms, nights);
		const audit = await measureAudit(db, peer, conn, rooms, nights.slice(0, AUDIT_WINDOW), random, progress);
		const ratios = { requests: naive.requests / ours.requests, bytes: naive.bytes / ours.bytes };
		const goalMet = ratios.requests >= PUSH_REQUEST_GOAL;
		return {
			setup: { roomTypes: ROOM_TYPES, ratePlans: RATE_PLANS.length, nights: NIGHTS, stopSells: ROOM_TYPES * STOP_SELLS_PER_ROOM_TYPE, storeCalls, seconds: setupSeconds, seed: SEED },
			peer: { profile: 'booking', validate: false },
			push: { ...pushed, seconds: pushSeconds },
			ours,
			naive,
			ratios,
			goalMet,
			check,
			audit,
			passed: pushed.status === 'pushed' && check.passed && audit.passed && peer.requests.every((r) => r.status === 200),
		};
	} finally {
		await peer.stop();
		// Not db.close(): getStore keeps the store in its cache, and a later closeAllStores() (booking part) would end the pool twice.
		// The OTA part runs first, so this closes only its own store.
		await closeAllStores();
		await database.drop();
	}
}

type Peer = Awaited<ReturnType<typeof startOtaPeer>>;

async function measureAudit(db: Db, peer: Peer, conn: Parameters<typeof auditChannel>[1], rooms: string[], window: string[], random: () => number, progress: (m: string) => void): Promise<OtaPushReport['audit']> {
	const timed = async (repair: boolean) => {
		const requestsBefore = peer.requests.length;
		const bytesBefore = peer.requests.reduce((n, r) => n + (r.root === 'OTA_HotelAvailRQ' ? 0 : r.bytes), 0);
		const started = performance.now();
		const report = await auditChannel(db, conn, { from: window[0], nights: window.length, repair });
		const seconds = (performance.now() - started) / 1000;
		const after = peer.requests.slice(requestsBefore);
		const repairBytes = peer.requests.reduce((n, r) => n + (r.root === 'OTA_HotelAvailRQ' ? 0 : r.bytes), 0) - bytesBefore;
		return { report, seconds, requests: after.length, repairBytes };
	};
	progress(`OTA audit: ${window.length} nights in step, then after ${EDITS} extranet edits with Repair...`);
	const inStep = await timed(false);
	// Silent edits in the channel's extranet: rooms left on some nights, a rate on others.
	for (let n = 0; n < EDITS; n++) {
		const room = channelRoom(rooms[Math.floor(random() * rooms.length)]);
		const night = window[Math.floor(random() * window.length)];
		if (n % 2 === 0) peer.view.availability.set(`${room}|${night}`, { ...peer.view.availability.get(`${room}|${night}`), bookingLimit: 99 });
		else peer.view.rates.set(`${room}|${channelRate(RATE_PLANS[n % RATE_PLANS.length])}|${night}`, { amount: 1, currency: 'EUR' });
	}
	const edited = await timed(true);
	const after = await timed(false);
	// The blind alternative: every room night and rate night of the window, as the push would send it.
	const everything: NightChange[] = rooms.flatMap((room) =>
		window.flatMap((night) => [
			{ kind: 'availability' as const, roomType: room, ratePlan: null, night },
			...RATE_PLANS.map((plan) => ({ kind: 'rate' as const, roomType: room, ratePlan: plan, night })),
		]),
	);
	const blind = await ariMessages(db, conn, everything, []);
	const blindRepush = { messages: blind.length, bytes: blind.reduce((n, m) => n + Buffer.byteLength(m.xml), 0) };
	const repair = edited.report.repair!;
	return {
		nights: window.length,
		roomTypeNights: inStep.report.nightsCompared,
		inStep: { seconds: inStep.seconds, requests: inStep.requests, drift: inStep.report.drift },
		edited: { edits: EDITS, seconds: edited.seconds, drift: edited.report.drift, differences: edited.report.differences.length, repairMessages: repair.messages, repairBytes: edited.repairBytes },
		after: { seconds: after.seconds, drift: after.report.drift },
		blindRepush,
		ratios: { bytes: blindRepush.bytes / Math.max(1, edited.repairBytes), messages: blindRepush.messages / Math.max(1, repair.messages) },
		passed: inStep.report.drift === 0 && edited.report.drift > 0 && repair.status === 'repaired' && after.report.drift === 0,
	};
}

/**
 * The spec's naive push: one OTA_HotelAvailNotifRQ per night and room type, one
 * OTA_HotelRateAmountNotifRQ per night, room type and rate plan, one update each. All are built
 * (timed) and their bytes summed: the same body bytes as `ours` counts (plain XML, no SOAP).
 * Each carries what pushChanges sends for a night (ariState.ts: limit, stop-sell, lengths of stay, CTA/CTD).
 */
const SAME_AS_PUSH = { minLos: null, maxLos: null, closedToArrival: false, closedToDeparture: false };
function naivePush(rooms: string[], nights: string[], stopSells: Map<string, Set<number>>): OtaPushReport['naive'] {
	const started = performance.now();
	let bytes = 0;
	let availRequests = 0;
	let rateRequests = 0;
	for (const room of rooms) {
		const closed = stopSells.get(room)!;
		nights.forEach((night, i) => {
			const roomType = channelRoom(room);
			bytes += Buffer.byteLength(buildHotelAvailNotifRQ(HOTEL, [{ roomType, start: night, end: night, ...SAME_AS_PUSH, bookingLimit: weekend(night) ? 8 : 10, stopSell: closed.has(i) }]));
			availRequests++;
			RATE_PLANS.forEach((plan, k) => {
				const amount = (weekend(night) ? 13000 : 10000) + 1000 * k;
				bytes += Buffer.byteLength(buildHotelRateAmountNotifRQ(HOTEL, [{ roomType, ratePlan: channelRate(plan), start: night, end: night, amount, currency: 'EUR' }]));
				rateRequests++;
			});
		});
	}
	return {
		requests: availRequests + rateRequests,
		availRequests,
		rateRequests,
		bytes,
		bytesMethod: 'all naive messages built with lib/ota builders and summed (not sent)',
		buildSeconds: (performance.now() - started) / 1000,
	};
}

/** The channel's view after the push against the store, for every room type and night (a superset of a sample). */
async function compareView(db: Db, view: Awaited<ReturnType<typeof startOtaPeer>>['view'], rooms: string[], nights: string[]): Promise<OtaPushReport['check']> {
	const examples: string[] = [];
	let mismatches = 0;
	const miss = (what: string) => {
		mismatches++;
		if (examples.length < 5) examples.push(what);
	};
	const avail = await db.query<{ room_type_code: string; night: string; allotment: number; sold: number; stop_sell: boolean }>(
		'SELECT room_type_code, night::text AS night, allotment, sold, stop_sell FROM inventory_nights WHERE night BETWEEN $1 AND $2',
		[nights[0], nights[nights.length - 1]],
	);
	for (const r of avail.rows) {
		const seen = view.availability.get(`${channelRoom(r.room_type_code)}|${r.night}`);
		const limit = Math.max(0, r.allotment - r.sold);
		if (seen?.bookingLimit !== limit || seen?.stopSell !== r.stop_sell) miss(`${r.room_type_code} ${r.night}: store ${limit}/${r.stop_sell}, channel ${JSON.stringify(seen)}`);
	}
	const rates = await db.query<{ room_type_code: string; rate_plan_code: string; night: string; amount: number }>(
		'SELECT room_type_code, rate_plan_code, night::text AS night, amount FROM rates WHERE night BETWEEN $1 AND $2',
		[nights[0], nights[nights.length - 1]],
	);
	for (const r of rates.rows) {
		const seen = view.rates.get(`${channelRoom(r.room_type_code)}|${channelRate(r.rate_plan_code)}|${r.night}`);
		if (seen?.amount !== Number(r.amount) || seen?.currency !== 'EUR') miss(`${r.room_type_code}/${r.rate_plan_code} ${r.night}: store ${r.amount}, channel ${JSON.stringify(seen)}`);
	}
	const expected = { avail: rooms.length * nights.length, rates: rooms.length * nights.length * RATE_PLANS.length };
	if (avail.rows.length !== expected.avail) miss(`store holds ${avail.rows.length} inventory nights, expected ${expected.avail}`);
	if (rates.rows.length !== expected.rates) miss(`store holds ${rates.rows.length} rate nights, expected ${expected.rates}`);
	return { availabilityNights: avail.rows.length, rateNights: rates.rows.length, mismatches, examples, passed: mismatches === 0 };
}
