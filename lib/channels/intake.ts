/**
 * Taking reservations in from a channel: translate its codes to the hotel's, store each change
 * idempotently (HotelService.applyChannelChange: a modification before its booking creates it, a
 * cancellation of an unknown booking is recorded, the same version applies once), and say for each
 * one what to acknowledge: our confirmation number, or why it failed. Used by the pull trigger and
 * by the webhook trigger alike.
 */
import type { HotelService } from '../booking/hotelService';
import { HotelError } from '../inventory/errors';
import type { Reservation } from '../inventory/reservations';
import type { ChannelReservation, ReservationResult } from '../ota/types';
import type { ChannelMappings } from './mapping';

export interface IntakeResult {
	/** What to acknowledge to the channel. */
	ack: ReservationResult;
	/** What changed in the hotel, for the e-mail and calendar steps (absent when it failed). */
	change?: { action: 'book' | 'modify' | 'cancel'; applied: boolean; reservation: Reservation };
	error?: string;
}

export async function takeIn(hotel: HotelService, mappings: ChannelMappings, incoming: ChannelReservation[]): Promise<IntakeResult[]> {
	const results: IntakeResult[] = [];
	for (const r of incoming) {
		try {
			const roomType = r.roomType ? await mappings.fromChannel('room_type', r.roomType) : undefined;
			const ratePlan = r.ratePlan ? await mappings.fromChannel('rate_plan', r.ratePlan).catch(() => undefined) : undefined;
			const stay =
				r.action === 'cancel' && !roomType
					? undefined
					: {
							roomType: roomType ?? '',
							ratePlan,
							arrival: r.arrival ?? '',
							departure: r.departure ?? '',
							rooms: r.rooms || 1,
							adults: r.adults,
							children: r.children,
							amount: r.amount,
							currency: r.currency,
							guest: { name: r.guest.name, email: r.guest.email, phone: r.guest.phone },
						};
			const { reservation, applied } = await hotel.applyChannelChange({
				channel: mappings.channel,
				channelReservationId: r.channelReservationId,
				channelVersion: r.version,
				action: r.action,
				stay,
			});
			results.push({
				ack: { channelReservationId: r.channelReservationId, ok: true, confirmationNumber: reservation.id },
				change: { action: r.action, applied, reservation },
			});
		} catch (error) {
			// A store that is down must not look like a bad reservation: rethrow, nothing is acknowledged.
			if (!(error instanceof HotelError)) throw error;
			results.push({ ack: { channelReservationId: r.channelReservationId, ok: false, error: error.message }, error: error.message });
		}
	}
	return results;
}
