/**
 * A channel's change (channel, reservation id, version) applies once, however often and in
 * whatever order it arrives. The rules, in the order ReservationBook.applyChannelChange asks them:
 *
 * 1. Changes to one channel reservation are taken one at a time, even before it exists here (a
 *    transaction-held advisory lock on the pair).
 * 2. The `applied_channel_changes` row is the idempotency guard: a second delivery of a version
 *    finds it and changes nothing — unless the version is a content hash (the parser made it from
 *    a message without a number or time) and the reservation holds another one: then it is the
 *    channel changing it back, not a redelivery.
 * 3. A version older than the one applied (numbers, or timestamps) is noted in the history and
 *    ignored: a newer one is already there.
 * 4. After a cancellation, only a change that provably came later is applied; anything else (a
 *    late booking, a redelivered older change, a second cancellation) is noted and ignored.
 */
import { HotelError } from '../errors';
import type { Queryable } from '../store/db';
import type { ChannelChange, Reservation } from './reservationTypes';

export interface ChannelChangeIds {
	channel: string;
	channelId: string;
	version: string;
}

/** Rules 1 and 2's row: whether this version was seen for the first time. */
export async function claimChannelChange(tx: Queryable, ids: ChannelChangeIds): Promise<boolean> {
	// Single-key, by hash, as from the first version (lib/store/locks.ts: processes of two versions must agree).
	await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JSON.stringify([ids.channel, ids.channelId])]);
	const fresh = await tx.query(
		`INSERT INTO applied_channel_changes (channel, channel_reservation_id, channel_version, reservation_id)
		 VALUES ($1, $2, $3, '') ON CONFLICT DO NOTHING RETURNING 1`,
		[ids.channel, ids.channelId, ids.version],
	);
	return fresh.rows.length > 0;
}

/** Which of our reservations the applied version made or changed. */
export async function recordChannelChange(tx: Queryable, ids: ChannelChangeIds, reservationId: string): Promise<void> {
	await tx.query('UPDATE applied_channel_changes SET reservation_id = $4 WHERE channel = $1 AND channel_reservation_id = $2 AND channel_version = $3', [
		ids.channel,
		ids.channelId,
		ids.version,
		reservationId,
	]);
}

/** Apply the change, or keep the reservation as it is (with the history entry that says why, if any). */
export type ChannelChangeVerdict = { apply: true } | { apply: false; reservation: Reservation; history?: string };

export function judgeChannelChange(ids: ChannelChangeIds, fresh: boolean, existing: Reservation | undefined, action: ChannelChange['action']): ChannelChangeVerdict {
	const { version } = ids;
	const redelivered = !fresh && !(isContentVersion(version) && existing && existing.channelVersion !== version);
	if (redelivered) {
		if (!existing) throw new HotelError('conflict', `Change ${version} of ${ids.channel} reservation ${ids.channelId} was applied but the reservation is missing.`);
		return { apply: false, reservation: existing };
	}
	if (existing?.channelVersion && isOlderVersion(version, existing.channelVersion)) {
		return { apply: false, reservation: existing, history: 'ignored-older-version' };
	}
	if (existing?.status === 'cancelled' && !(existing.channelVersion && isOlderVersion(existing.channelVersion, version))) {
		return { apply: false, reservation: existing, history: action === 'cancel' ? 'cancelled-again' : 'ignored-after-cancel' };
	}
	return { apply: true };
}

/** A version the parser made from the reservation's content (no number or time in the message). */
function isContentVersion(version: string): boolean {
	return version.startsWith('sha256:');
}

/** Channels number versions or stamp them with times; anything else cannot be ordered and is applied as it comes. */
function isOlderVersion(incoming: string, applied: string): boolean {
	if (/^\d+$/.test(incoming) && /^\d+$/.test(applied)) return BigInt(incoming) < BigInt(applied);
	const a = Date.parse(incoming);
	const b = Date.parse(applied);
	if (!Number.isNaN(a) && !Number.isNaN(b) && /\d{4}-\d{2}-\d{2}/.test(incoming) && /\d{4}-\d{2}-\d{2}/.test(applied)) return a < b;
	return false;
}
