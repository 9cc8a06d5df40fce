/**
 * Auditing a channel: what it holds for each night of a window, read back and compared with the
 * store, and — on request — repaired by pushing the store's state for exactly the nights that differ.
 *
 * Pushes are deltas from a cursor, so a message the channel accepted but did not apply, an edit in
 * its extranet, or a mapping changed after a push leaves the channel wrong until that night changes
 * again. The audit finds that drift whatever caused it:
 *
 * 1. The channel's view, one OTA_HotelAvailRQ per night (a one-night stay): per room type and rate
 *    plan its units left, whether it is closed out, its rate, and the arrival night's restrictions
 *    (HotelStay: Close, ClosedOnArrival, MinLOS, MaxLOS) when the channel reports them.
 * 2. The store's state of the window, read after the channel's, for the mapped room types and rate
 *    plans. A room night changed since the audit began, or not pushed yet, is skipped: the channel
 *    cannot know it yet, and the push on its way will tell it (counted in `skipped`).
 * 3. Night by night, field by field, in the channel's codes (and the hotel's, for the reader).
 * 4. Repair: those nights' latest state, sent as the push sends it (same messages, same limits,
 *    under the same per-channel lock, so a repair never lands between a push's read and its send);
 *    the push cursor does not move, so nothing a later push owes is skipped. A difference with no
 *    state in the store to send (no inventory or no rate that night) cannot be repaired by a push:
 *    it is counted as `unrepairable`.
 *
 * Closed-to-departure cannot be read back (OTA_HotelAvailRS has no way to say it) and is not
 * compared; restrictions are compared only for rooms whose state the channel reports.
 */
import { HotelError } from '../errors';
import { PartnerError } from '../resilience/policy';
import type { NightChange } from '../inventory/changeLog';
import { addDays, nightsOf, parseDate } from '../inventory/dates';
import { buildHotelAvailRQ, parseHotelAvailRS, type ParsedAvailOffer } from '../ota';
import type { Db } from '../store/db';
import { sendToChannel, type ChannelConnection } from './channelClient';
import { ChannelMappings } from './mapping';
import { ariWindow, type AvailValue } from './ariState';
import { ariMessages, loadCursor, sendAri, withChannelLock } from './push';

export interface AuditOptions {
	/** YYYY-MM-DD, the first night. */
	from: string;
	/** How many nights from `from`. */
	nights: number;
	/** Push the store's state for the nights that differ. */
	repair: boolean;
}

export type AuditedField = 'roomsLeft' | 'stopSell' | 'closedToArrival' | 'minLos' | 'maxLos' | 'rate';

export interface AriDifference {
	night: string;
	roomType: string;
	channelRoomType: string;
	/** For a rate; a room's availability and restrictions have none. */
	ratePlan?: string;
	channelRatePlan?: string;
	field: AuditedField;
	/** null: nothing set (no inventory or rate for the night in the store; nothing reported by the channel). */
	store: number | boolean | null;
	channel: number | boolean | null;
}

export interface AuditReport {
	channel: string;
	from: string;
	/** The last night audited. */
	to: string;
	/** Room type nights compared (mapped room types × nights). */
	nightsCompared: number;
	/** Room type nights with at least one difference (a rate difference counts for its room type's night). */
	drift: number;
	/** Room type nights changed while the audit ran or not pushed yet: not compared. */
	skipped: number;
	differences: AriDifference[];
	/** Fields that could not be compared, with why. */
	notCompared: string[];
	repair?: {
		/** 'repaired in part': some differences had no store state to send (see unrepairable). */
		status: 'repaired' | 'repaired in part' | 'failed' | 'nothing to repair' | 'nothing a push can repair';
		messages: number;
		nights: number;
		unrepairable: number;
		error?: string;
	};
}

/** Default and upper bound of the window: one request per night. */
export const AUDIT_NIGHTS = { default: 30, max: 365 };

export async function auditChannel(db: Db, conn: ChannelConnection, opts: AuditOptions): Promise<AuditReport> {
	if (!conn.profile.otaAriPush) {
		throw new HotelError('invalid', `${conn.channel} (${conn.profile.name}) takes availability and rates in its own format, not OpenTravel: it cannot be audited through OpenTravel.`);
	}
	if (!Number.isInteger(opts.nights) || opts.nights < 1 || opts.nights > AUDIT_NIGHTS.max) {
		throw new HotelError('invalid', `Nights must be a whole number from 1 to ${AUDIT_NIGHTS.max}, not ${opts.nights}.`, 'nights');
	}
	const from = parseDate(opts.from, 'from');
	const nights = nightsOf(from, addDays(from, opts.nights));
	const mappings = await new ChannelMappings(db, conn.channel).list();
	const rooms = mappings.filter((m) => m.kind === 'room_type');
	const plans = mappings.filter((m) => m.kind === 'rate_plan');
	const startedAfter = await lastChange(db);

	const channelNights = new Map<string, ParsedAvailOffer[]>();
	for (const night of nights) channelNights.set(night, await readChannelNight(db, conn, night));
	const restrictionsReported = [...channelNights.values()].some((offers) => offers.some((offer) => offer.restrictions !== undefined));
	// One night more: closed to departure on the day after a night decides whether a one-night stay sells.
	const store = await ariWindow(db, rooms.map((m) => m.hotelCode), plans.map((m) => m.hotelCode), nights[0], addDays(nights[nights.length - 1], 1));
	const inFlux = await changedSince(db, Math.min(startedAfter, Number((await loadCursor(db, conn.channel)).id)), nights);

	const differences: AriDifference[] = [];
	let skipped = 0;
	for (const night of nights) {
		const offers = channelNights.get(night)!;
		for (const room of rooms) {
			if (inFlux.has(`${room.hotelCode}|${night}`)) {
				skipped++;
				continue;
			}
			const ours = store.nights.get(`${room.hotelCode}|${night}`);
			const theirs = offers.filter((offer) => offer.roomType === room.channelCode);
			const base = { night, roomType: room.hotelCode, channelRoomType: room.channelCode };
			// Many channels answer only what they sell: a room they do not report is "not for sale",
			// which is right when the store would not sell a one-night stay either (stopped, sold out,
			// closed to arrival, a longer minimum stay, closed to departure the next day, or no rate).
			const priced = plans.some((plan) => store.rates.has(`${room.hotelCode}|${plan.hotelCode}|${night}`));
			if (theirs.length === 0) {
				if (sellsOneNight(ours, store.nights.get(`${room.hotelCode}|${addDays(night, 1)}`)) && priced) {
					differences.push({ ...base, field: 'roomsLeft', store: ours!.bookingLimit, channel: null });
				} else continue;
			} else {
				for (const [field, a, b] of compareRoom(ours, theirs[0])) differences.push({ ...base, field, store: a, channel: b });
			}
			for (const plan of plans) {
				const rate = store.rates.get(`${room.hotelCode}|${plan.hotelCode}|${night}`) ?? null;
				const offered = theirs.find((offer) => offer.ratePlan === plan.channelCode)?.totalAmount ?? null;
				if (rate !== offered) differences.push({ ...base, ratePlan: plan.hotelCode, channelRatePlan: plan.channelCode, field: 'rate', store: rate, channel: offered });
			}
		}
	}

	const drifted = new Set(differences.map((d) => `${d.roomType}|${d.night}`));
	const report: AuditReport = {
		channel: conn.channel,
		from: nights[0],
		to: nights[nights.length - 1],
		nightsCompared: rooms.length * nights.length - skipped,
		drift: drifted.size,
		skipped,
		differences,
		notCompared: [
			'closedToDeparture: OTA_HotelAvailRS cannot carry it',
			...(restrictionsReported ? [] : ['stopSell by restriction, closedToArrival, minLos, maxLos: the channel reported no HotelStays (only closed-out rooms are compared)']),
		],
	};
	if (opts.repair) {
		// Nothing in the store to send: a rate the store does not have, a night it holds no inventory for.
		const unrepairable = (d: AriDifference) => (d.field === 'rate' ? d.store === null : !store.nights.has(`${d.roomType}|${d.night}`));
		report.repair = await withChannelLock(db, conn.channel, () => repair(db, conn, differences, unrepairable));
	}
	await recordAudit(db, conn.channel, report);
	return report;
}

/** For callers where a failed repair must be an error (the OTA Channel node): the next audit finds the same nights. */
export function requireRepaired(report: AuditReport): AuditReport {
	if (report.repair?.status !== 'failed') return report;
	throw new PartnerError(
		`Audit of ${report.channel} found ${report.drift} night(s) that differ; the repair failed after ${report.repair.messages} message(s): ${report.repair.error} The next audit finds and repairs what is still different.`,
		{ partner: report.channel, retryable: true },
	);
}

/** The room's availability and restrictions as the channel reports them (its first offer for the room), as [field, store, channel] pairs that differ. */
function compareRoom(ours: AvailValue | undefined, first: ParsedAvailOffer): Array<[AuditedField, number | boolean | null, number | boolean | null]> {
	const pairs: Array<[AuditedField, number | boolean | null, number | boolean | null]> = [];
	// Stopped: the HotelStay says Close; without one, closed out while rooms are left.
	const stopped = first.restrictions ? first.restrictions.status === 'Close' : first.closed === true && (first.available ?? 0) > 0;
	pairs.push(['roomsLeft', ours?.bookingLimit ?? null, first.available ?? null]);
	// A room with nothing left is closed out whether or not it is stopped: only a stop with rooms left is compared.
	if ((ours?.bookingLimit ?? 0) > 0 || (first.available ?? 0) > 0) pairs.push(['stopSell', ours?.stopSell ?? null, stopped]);
	const restrictions = first.restrictions;
	// A closed room's other restrictions are not said (one Status per HotelStay): not compared.
	if (restrictions !== undefined && restrictions.status !== 'Close') {
		pairs.push(['closedToArrival', ours?.closedToArrival ?? null, restrictions.status === 'ClosedOnArrival']);
		pairs.push(['minLos', normalLos(ours?.minLos), normalLos(restrictions.minLos)]);
		pairs.push(['maxLos', ours?.maxLos ?? null, restrictions.maxLos ?? null]);
	}
	return pairs.filter(([, a, b]) => a !== b);
}

/** Would the store sell a one-night stay arriving this night (what a channel's one-night answer shows)? */
function sellsOneNight(night: AvailValue | undefined, next: AvailValue | undefined): boolean {
	if (night === undefined || (night.bookingLimit ?? 0) <= 0 || night.stopSell === true) return false;
	return night.closedToArrival !== true && (night.minLos ?? 1) <= 1 && next?.closedToDeparture !== true;
}

/** A minimum stay of one night is no restriction: the same as none. */
function normalLos(days: number | null | undefined): number | null {
	return days === undefined || days === null || days <= 1 ? null : days;
}

async function readChannelNight(db: Db, conn: ChannelConnection, night: string): Promise<ParsedAvailOffer[]> {
	const xml = buildHotelAvailRQ(conn.hotelCode, { arrival: night, departure: addDays(night, 1), adults: 1 });
	const answer = await sendToChannel(db, conn, conn.profile.paths.availQuery, xml, { message: 'OTA_HotelAvailRQ', direction: 'query' });
	return parseHotelAvailRS(answer.body);
}

/** The newest change-log id: what the audit reads after it is compared as of then. */
async function lastChange(db: Db): Promise<number> {
	return Number((await db.query<{ id: string | null }>('SELECT max(id)::text AS id FROM inventory_changes')).rows[0].id ?? 0);
}

/** Room type nights of the window with a change after `afterId` (any kind: availability, restriction or rate). */
async function changedSince(db: Db, afterId: number, nights: string[]): Promise<Set<string>> {
	const { rows } = await db.query<{ room_type_code: string; night: string }>(
		'SELECT DISTINCT room_type_code, night::text AS night FROM inventory_changes WHERE id > $1 AND night >= $2 AND night <= $3',
		[afterId, nights[0], nights[nights.length - 1]],
	);
	return new Set(rows.map((r) => `${r.room_type_code}|${r.night}`));
}

/**
 * The store's state for exactly the differing nights: availability and restrictions per room night,
 * rates per rate plan night. A difference whose store side is empty has nothing to send.
 */
async function repair(db: Db, conn: ChannelConnection, differences: AriDifference[], cannotRepair: (d: AriDifference) => boolean): Promise<NonNullable<AuditReport['repair']>> {
	const changes = new Map<string, NightChange>();
	let unrepairable = 0;
	for (const d of differences) {
		if (cannotRepair(d)) {
			unrepairable++;
			continue;
		}
		const change: NightChange =
			d.field === 'rate' ? { kind: 'rate', roomType: d.roomType, ratePlan: d.ratePlan!, night: d.night } : { kind: 'availability', roomType: d.roomType, ratePlan: null, night: d.night };
		changes.set(`${change.kind}|${change.roomType}|${change.ratePlan}|${change.night}`, change);
	}
	if (changes.size === 0) return { status: unrepairable > 0 ? 'nothing a push can repair' : 'nothing to repair', messages: 0, nights: 0, unrepairable };
	const sent = await sendAri(db, conn, await ariMessages(db, conn, [...changes.values()], []));
	if (sent.error !== undefined) return { status: 'failed', messages: sent.messages, nights: sent.nights, unrepairable, error: sent.error };
	return { status: unrepairable > 0 ? 'repaired in part' : 'repaired', messages: sent.messages, nights: sent.nights, unrepairable };
}

/** One sync-log row per audit: nights = room type nights compared, items = drift; the fields that differed in detail. */
async function recordAudit(db: Db, channel: string, report: AuditReport): Promise<void> {
	const fields: Record<string, number> = {};
	for (const d of report.differences) fields[d.field] = (fields[d.field] ?? 0) + 1;
	const detail = JSON.stringify({ from: report.from, to: report.to, fields, repair: report.repair?.status ?? 'not asked' });
	await db.query(
		`INSERT INTO channel_sync_log (channel, message, direction, nights, items, status, error, detail) VALUES ($1, 'ARI audit', 'audit', $2, $3, $4, $5, $6)`,
		[channel, report.nightsCompared, report.drift, report.repair?.status === 'failed' ? 'failed' : 'ok', report.repair?.error ?? null, detail],
	);
}
