/**
 * Taking reservations in from a channel, one at a time: translate each room's codes to the
 * hotel's, store the change idempotently (HotelService.applyChannelChange: a modification before
 * its booking creates it, a cancellation of an unknown booking is recorded, the same version
 * applies once), and say for each one what to acknowledge: our confirmation number, or why it
 * failed. A reservation that could not be read or stored never holds up the others: it is
 * acknowledged as failed (the channel falls back to its own procedure), written to the sync log
 * with its reason and its XML (card data removed), and handed to the workflow as a failure.
 * Used by the pull trigger and by the webhook trigger alike.
 */
import type { HotelService } from '../booking/hotelService';
import { HotelError } from '../errors';
import type { Reservation, StayInput } from '../inventory/reservations';
import type { ChannelReservation, ReservationBatch, ReservationFailure, ReservationResult } from '../ota/types';
import type { Queryable } from '../store/db';
import type { ChannelMappings } from './mapping';

export interface IntakeResult {
	/** What to acknowledge to the channel. */
	ack: ReservationResult;
	/** What changed in the hotel, for the e-mail and calendar steps (absent when it failed). */
	change?: { action: 'book' | 'modify' | 'cancel'; applied: boolean; reservation: Reservation };
	/** Why it could not be taken in (absent when it was). */
	error?: string;
	/** For a failure: where in the message, and its 1-based position there. */
	failure?: { position: number; path?: string; /** No id could be read: the channel cannot be told which one. */ unnamed: boolean };
}

/** Stores every readable reservation of the batch; throws only when the store itself fails (then nothing must be acknowledged). */
export async function takeIn(hotel: HotelService, mappings: ChannelMappings, batch: ReservationBatch, log?: IntakeLog): Promise<IntakeResult[]> {
	const results: IntakeResult[] = [];
	for (const r of batch.reservations) {
		try {
			const stay = await stayOf(r, mappings);
			// A modification whose every room the channel cancelled is the reservation cancelled.
			const action = r.action === 'modify' && r.roomStays.length > 0 && r.roomStays.every((room) => room.status === 'cancelled') ? 'cancel' : r.action;
			const { reservation, applied } = await hotel.applyChannelChange({
				channel: mappings.channel,
				channelReservationId: r.channelReservationId,
				channelVersion: r.version,
				action,
				stay,
			});
			results.push({
				ack: { channelReservationId: r.channelReservationId, ok: true, confirmationNumber: reservation.id },
				change: { action, applied, reservation },
			});
		} catch (error) {
			// A store that is down must not look like a bad reservation: rethrow, nothing is acknowledged.
			// A value the database refuses (out of range, a check) is this reservation's, not the store's.
			if (!(error instanceof HotelError) && !isDataError(error)) throw error;
			const source = batch.sourceOf?.(r);
			const failure = {
				position: source?.position ?? 0,
				channelReservationId: r.channelReservationId,
				action: r.action,
				path: `reservation ${r.channelReservationId}`,
				reason: (error as Error).message,
				excerpt: source?.excerpt,
			};
			results.push(failed(failure));
			await log?.(failure);
		}
	}
	for (const failure of batch.failures) {
		results.push(failed(failure));
		await log?.(failure);
	}
	return results;
}

function failed(failure: ReservationFailure): IntakeResult {
	// '' when no id could be read: the channel is told of an error it cannot match to a reservation.
	return { ack: { channelReservationId: failure.channelReservationId ?? '', ok: false, error: failure.reason }, error: failure.reason, failure: { position: failure.position, path: failure.path, unnamed: !failure.channelReservationId } };
}

/** The channel's rooms in the hotel's codes. A cancellation needs none; a room type not mapped is a failure of this reservation only. */
async function stayOf(r: ChannelReservation, mappings: ChannelMappings): Promise<StayInput | undefined> {
	const roomStays = [];
	for (const room of r.roomStays) {
		// A cancelled room holds nothing: one the hotel cannot place (no mapping, no dates) is simply left out, which frees it.
		const informational = r.action === 'cancel' || room.status === 'cancelled';
		if (informational && (!room.arrival || !room.departure)) continue;
		const roomType = room.roomType ? await mappings.fromChannel('room_type', room.roomType).catch((error: unknown) => (informational ? undefined : Promise.reject(error))) : undefined;
		if (!roomType) {
			if (informational) continue;
			throw new HotelError('invalid', `${mappings.channel} reservation ${r.channelReservationId}: room ${room.index} names no room type.`, 'roomType');
		}
		const ratePlan = room.ratePlan ? await mappings.fromChannel('rate_plan', room.ratePlan).catch(() => undefined) : undefined;
		roomStays.push({
			key: room.index,
			status: room.status,
			roomType,
			ratePlan,
			arrival: room.arrival,
			departure: room.departure,
			units: room.units,
			adults: room.adults,
			children: room.children,
			childAges: room.childAges,
			guestName: room.guestName,
			amount: room.amount,
			taxes: room.taxes,
			currency: room.currency,
			nightly: room.nightly,
		});
	}
	if (roomStays.length === 0) return undefined;
	return {
		arrival: r.arrival,
		departure: r.departure,
		roomStays,
		amount: r.amount,
		currency: r.currency,
		taxes: r.taxes,
		commission: r.commission,
		paymentModel: r.paymentModel,
		comments: r.comments,
		specialRequests: r.specialRequests,
		guest: {
			// A guaranteed booking is stored even when the channel names nobody.
			name: r.guest.name || `Guest of ${mappings.channel} reservation ${r.channelReservationId}`,
			email: r.guest.email,
			phone: r.guest.phone,
		},
	};
}

/** PostgreSQL's data exceptions (class 22: a number out of range, a bad date) and check violations: the data, not the store. */
function isDataError(error: unknown): boolean {
	const code = (error as { code?: unknown })?.code;
	return typeof code === 'string' && (code.startsWith('22') || code === '23514');
}

/** Writes a failed reservation to the sync log (see intakeLog). */
export type IntakeLog = (failure: ReservationFailure) => Promise<void>;

/** A reservation the channel sent that was not taken in: its reason and its XML (card data removed), in the channel's sync log. */
export function intakeLog(db: Queryable, channel: string, message: string, direction: 'pull' | 'webhook'): IntakeLog {
	return async (failure) => {
		await db.query(
			`INSERT INTO channel_sync_log (channel, message, direction, items, status, attempts, error, reservation_id, detail)
			 VALUES ($1, $2, $3, 1, 'rejected', 1, $4, $5, $6)`,
			[channel, message, direction, (failure.channelReservationId ? `${failure.channelReservationId}: ${failure.reason}` : failure.reason).slice(0, 2000), failure.channelReservationId ?? null, failure.excerpt ?? null],
		);
	};
}
