/**
 * Pushing what changed to one channel: availability, restrictions and rates, as deltas.
 *
 * 1. Read the changes since this channel's cursor (lib/inventory/changeLog.ts).
 * 2. Load the latest state of exactly those nights, merged into ranges (ariState.ts).
 * 3. Translate codes (mapping.ts; room types without a mapping are not sold there and are left out),
 *    split where the profile's limits require (a month per rate request, updates and bytes per message).
 * 4. Send each message (channelClient.ts: retries, breaker, sync log). Stop at the first failure.
 * 5. Only when every message went through does the cursor move. A channel that is down therefore
 *    loses nothing: the next push re-reads the same nights (and any newer ones) and sends their
 *    state as it is then — the latest state of everything that changed.
 */
import { PartnerError } from '../resilience/policy';
import type { Db } from '../store/db';
import { readChanges, START, type ChangeCursor } from '../inventory/changeLog';
import { HotelError } from '../errors';
import { buildHotelAvailNotifRQ, buildHotelRateAmountNotifRQ } from '../ota';
import type { AvailUpdate, RateUpdate } from '../ota/types';
import { ariForChanges } from './ariState';
import { sendToChannel, type ChannelConnection } from './channelClient';
import { ChannelMappings } from './mapping';
import { chunk, nightsIn, splitByMonth } from './ranges';
import { exclusively, LOCK_SPACE } from '../store/locks';

export interface PushReport {
	channel: string;
	/** busy: another push to this channel was running (it, or the next push, sends these changes). */
	status: 'nothing to push' | 'pushed' | 'failed' | 'busy';
	changes: number;
	messages: number;
	nights: number;
	bytes: number;
	/** Hotel room types / rate plans that changed but have no mapping for this channel. */
	notMapped: string[];
	error?: string;
}

export interface OutgoingAri {
	message: 'OTA_HotelAvailNotifRQ' | 'OTA_HotelRateAmountNotifRQ';
	path: string;
	xml: string;
	nights: number;
	items: number;
}

/**
 * For callers where a failed push must be an error (the OTA Channel node: the execution fails and
 * shows red). The cursor did not move, so the next push sends the latest state of these nights.
 */
export function requirePushed(report: PushReport): PushReport {
	if (report.status !== 'failed') return report;
	throw new PartnerError(
		`Push to ${report.channel} failed after ${report.messages} message(s) went through: ${report.error} Nothing is lost: the next push sends the latest state of every night that changed.`,
		{ partner: report.channel, retryable: true },
	);
}

/**
 * One push (or audit repair) per channel at a time, across processes: two overlapping pushes could
 * send the same nights, the older state last, and the channel would keep it. A push that finds
 * another running leaves the work to it (status busy); the next scheduled push picks up the rest.
 */
export function withChannelLock<T>(db: Db, channel: string, fn: () => Promise<T>): Promise<T> {
	return exclusively(db, LOCK_SPACE.channelPush, channel, fn, { wait: true }).then((outcome) => (outcome as { value: T }).value);
}

export async function pushChanges(db: Db, conn: ChannelConnection, opts: { maxChanges?: number } = {}): Promise<PushReport> {
	if (!conn.profile.otaAriPush) {
		throw new HotelError('invalid', `${conn.channel} (${conn.profile.name}) takes availability and rates in its own format, not OpenTravel: push them through a channel manager, or in the channel's extranet.`);
	}
	const outcome = await exclusively(db, LOCK_SPACE.channelPush, conn.channel, () => pushLocked(db, conn, opts), { wait: false });
	return outcome.ran ? outcome.value : { channel: conn.channel, status: 'busy', changes: 0, messages: 0, nights: 0, bytes: 0, notMapped: [] };
}

async function pushLocked(db: Db, conn: ChannelConnection, opts: { maxChanges?: number }): Promise<PushReport> {
	const cursor = await loadCursor(db, conn.channel);
	const { changes, cursor: next } = await readChanges(db, cursor, opts.maxChanges ?? 50_000);
	const report: PushReport = { channel: conn.channel, status: 'nothing to push', changes: changes.length, messages: 0, nights: 0, bytes: 0, notMapped: [] };
	if (changes.length === 0) return report;

	const sent = await sendAri(db, conn, await ariMessages(db, conn, changes, report.notMapped));
	Object.assign(report, { messages: sent.messages, nights: sent.nights, bytes: sent.bytes });
	if (sent.error !== undefined) return { ...report, status: 'failed', error: sent.error };
	await saveCursor(db, conn.channel, next);
	return { ...report, status: 'pushed' };
}

/** Sends the messages in order, stopping at the first that fails (after its retries). */
export async function sendAri(db: Db, conn: ChannelConnection, outgoing: OutgoingAri[]): Promise<{ messages: number; nights: number; bytes: number; error?: string }> {
	const sent = { messages: 0, nights: 0, bytes: 0 };
	for (const m of outgoing) {
		try {
			const answer = await sendToChannel(db, conn, m.path, m.xml, { message: m.message, direction: 'push', nights: m.nights, items: m.items });
			sent.messages++;
			sent.nights += m.nights;
			sent.bytes += answer.bytes;
		} catch (error) {
			return { ...sent, error: (error as Error).message };
		}
	}
	return sent;
}

/** The latest state of these nights as the channel's messages, in its codes and within its profile's limits. */
export async function ariMessages(db: Db, conn: ChannelConnection, changes: Parameters<typeof ariForChanges>[1], notMapped: string[]): Promise<OutgoingAri[]> {
	const ari = await ariForChanges(db, changes);
	const mappings = new ChannelMappings(db, conn.channel);
	const limits = conn.profile.limits;
	const missing = new Set<string>();

	const avail: AvailUpdate[] = [];
	for (const r of ari.availability) {
		if (!(await mappings.isMapped('room_type', r.roomType))) {
			missing.add(`room type ${r.roomType}`);
			continue;
		}
		avail.push({ roomType: await mappings.toChannel('room_type', r.roomType), start: r.start, end: r.end, ...r.value });
	}
	const rates: RateUpdate[] = [];
	for (const r of ari.rates) {
		const mapped = (await mappings.isMapped('room_type', r.roomType)) && (await mappings.isMapped('rate_plan', r.ratePlan));
		if (!mapped) {
			missing.add(`room type ${r.roomType} / rate plan ${r.ratePlan}`);
			continue;
		}
		const base = { roomType: await mappings.toChannel('room_type', r.roomType), ratePlan: await mappings.toChannel('rate_plan', r.ratePlan) };
		const parts = limits.ratesOneMonthPerRequest ? splitByMonth(r) : [r];
		for (const p of parts) rates.push({ ...base, start: p.start, end: p.end, amount: p.value.amount, currency: p.value.currency.toUpperCase() });
	}
	notMapped.push(...[...missing].sort());

	const out: OutgoingAri[] = [];
	for (const batch of fitToLimits(avail, limits.maxUpdatesPerMessage, limits.maxMessageBytes, (u) => buildHotelAvailNotifRQ(conn.hotelCode, u))) {
		out.push({ message: 'OTA_HotelAvailNotifRQ', path: conn.profile.paths.availNotif, ...batch });
	}
	// One month per request means one month per message: group rate parts by the month they fall in.
	const rateGroups = limits.ratesOneMonthPerRequest ? groupByMonth(rates) : [rates];
	for (const group of rateGroups) {
		for (const batch of fitToLimits(group, limits.maxUpdatesPerMessage, limits.maxMessageBytes, (u) => buildHotelRateAmountNotifRQ(conn.hotelCode, u))) {
			out.push({ message: 'OTA_HotelRateAmountNotifRQ', path: conn.profile.paths.rateNotif, ...batch });
		}
	}
	return out;
}

/** Batches of at most `maxItems`, halved until each message fits in `maxBytes`. */
function fitToLimits<T extends { start: string; end: string }>(items: T[], maxItems: number, maxBytes: number, build: (batch: T[]) => string) {
	const result: Array<{ xml: string; nights: number; items: number }> = [];
	const pending = chunk(items, maxItems);
	while (pending.length) {
		const batch = pending.shift()!;
		const xml = build(batch);
		if (Buffer.byteLength(xml) > maxBytes && batch.length > 1) {
			const half = Math.ceil(batch.length / 2);
			pending.unshift(batch.slice(0, half), batch.slice(half));
			continue;
		}
		result.push({ xml, nights: batch.reduce((n, u) => n + nightsIn(u), 0), items: batch.length });
	}
	return result;
}

function groupByMonth(rates: RateUpdate[]): RateUpdate[][] {
	const byMonth = new Map<string, RateUpdate[]>();
	for (const r of rates) byMonth.set(r.start.slice(0, 7), [...(byMonth.get(r.start.slice(0, 7)) ?? []), r]);
	return [...byMonth.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, group]) => group);
}

/** How far the channel's pushes have gone in the change log (the audit compares only what was pushed). */
export async function loadCursor(db: Db, channel: string): Promise<ChangeCursor> {
	const row = (await db.query<{ change_id: string }>('SELECT change_id FROM channel_cursors WHERE channel = $1', [channel])).rows[0];
	return row ? { id: row.change_id } : START;
}

async function saveCursor(db: Db, channel: string, cursor: ChangeCursor): Promise<void> {
	await db.query(
		`INSERT INTO channel_cursors (channel, txid, change_id) VALUES ($1, $2, $3)
		 ON CONFLICT (channel) DO UPDATE SET txid = EXCLUDED.txid, change_id = EXCLUDED.change_id, updated_at = now()`,
		[channel, '0', cursor.id],
	);
}
