/**
 * The channel's outbox of reservations. Each queued state (a booking, a modification, a
 * cancellation) is delivered on every pull until the hotel settles it: acknowledged, or reported
 * as failed. That is the contract both Booking.com (unacknowledged reservations come back on the
 * next GET) and SiteMinder pmsXchange (redelivered until an OTA_NotifReportRQ names them) keep.
 */
import type { ChannelReservation, ChannelRoomStay } from '../../../lib/ota';

/** Booking.com pulls new reservations and changes separately; ReadRQ takes everything. */
export type Category = 'new' | 'changes' | 'all';

/** One room, the short way tests and `npm start` queue most bookings (several rooms go in roomStays). */
export interface OneRoom {
	roomType?: string;
	ratePlan?: string;
	rooms?: number;
	adults?: number;
	children?: number;
}

/**
 * A reservation to queue; without a version the peer assigns the next one for its id. Rooms come
 * in `roomStays`, or as one room in the OneRoom fields; nightly prices are shared out of the
 * amount, as channels send them, when a room has none.
 */
export type QueuedReservation = Omit<ChannelReservation, 'version' | 'roomStays' | 'comments' | 'specialRequests'> &
	Partial<Pick<ChannelReservation, 'roomStays' | 'comments' | 'specialRequests'>> &
	OneRoom & { version?: string };

interface Entry {
	reservation: ChannelReservation;
	/** Sent in at least one pull answer: only these can be acknowledged. */
	delivered: boolean;
	/** Acknowledged or rejected: not delivered again. */
	settled: boolean;
}

function inCategory(entry: Entry, category: Category): boolean {
	if (category === 'all') return true;
	return (entry.reservation.action === 'book') === (category === 'new');
}

export class ReservationQueue {
	readonly acknowledged = new Map<string, number>();
	readonly rejected = new Map<string, string>();
	private readonly entries: Entry[] = [];
	private readonly versions = new Map<string, number>();

	constructor(private readonly hotelCode: string) {}

	/** Queues one state of a reservation, as `complete` made it. */
	add(reservation: ChannelReservation): ChannelReservation {
		this.entries.push({ reservation: structuredClone(reservation), delivered: false, settled: false });
		return structuredClone(reservation);
	}

	/** A reservation as the channel sends it: the peer's hotel code unless another is given, and the next version for its id. */
	complete(input: QueuedReservation): ChannelReservation {
		const sequence = (this.versions.get(input.channelReservationId) ?? 0) + 1;
		this.versions.set(input.channelReservationId, sequence);
		const { roomType, ratePlan, rooms, adults, children, ...rest } = structuredClone(input);
		const roomStays = (rest.roomStays ?? (roomType !== undefined ? [oneRoom(input)] : [])).map((room) => withNightly(room, rest.currency));
		return { comments: [], specialRequests: [], ...rest, roomStays, hotelCode: input.hotelCode ?? this.hotelCode, version: input.version || String(sequence) };
	}

	/** Everything not yet settled in the category, in queue order; each is now delivered. */
	deliver(category: Category): ChannelReservation[] {
		const pending = this.entries.filter((entry) => !entry.settled && inCategory(entry, category));
		for (const entry of pending) entry.delivered = true;
		return pending.map((entry) => structuredClone(entry.reservation));
	}

	/** ReadRQ SelectionType PreviouslyDelivered / All: a look back that changes nothing. */
	list(which: 'previouslyDelivered' | 'all'): ChannelReservation[] {
		const entries = which === 'all' ? this.entries : this.entries.filter((entry) => entry.delivered);
		return entries.map((entry) => structuredClone(entry.reservation));
	}

	isKnown(id: string): boolean {
		return this.entries.some((entry) => entry.reservation.channelReservationId === id);
	}

	/** Counts the acknowledgement (repeats too) and settles what was delivered; false for an unknown id. */
	acknowledge(id: string, category: Category): boolean {
		if (!this.isKnown(id)) return false;
		this.acknowledged.set(id, (this.acknowledged.get(id) ?? 0) + 1);
		this.settleDelivered(id, category);
		return true;
	}

	/** The hotel could not take it: the channel stops redelivering (and would tell the property). */
	reject(id: string, reason: string, category: Category): boolean {
		if (!this.isKnown(id)) return false;
		this.rejected.set(id, reason);
		this.settleDelivered(id, category);
		return true;
	}

	/** Only delivered states: a change queued after the pull must still reach the hotel. */
	private settleDelivered(id: string, category: Category): void {
		for (const entry of this.entries) {
			if (entry.delivered && entry.reservation.channelReservationId === id && inCategory(entry, category)) entry.settled = true;
		}
	}
}

function oneRoom(input: QueuedReservation): ChannelRoomStay {
	return {
		index: '1',
		status: 'active',
		roomType: input.roomType,
		ratePlan: input.ratePlan,
		arrival: input.arrival,
		departure: input.departure,
		units: input.rooms ?? 1,
		adults: input.adults ?? 0,
		children: input.children ?? 0,
		childAges: [],
		nightly: [],
		amount: input.amount,
		currency: input.currency,
	};
}

/** Nightly prices shared out of the room's amount (any remainder on the first night), as channels list them. */
function withNightly(room: ChannelRoomStay, currency: string | undefined): ChannelRoomStay {
	const roomCurrency = room.currency ?? currency;
	if (room.nightly.length > 0 || room.amount === undefined || !roomCurrency || !room.arrival || !room.departure) return room;
	const nights: string[] = [];
	for (let night = room.arrival; night < room.departure; night = nextDay(night)) nights.push(night);
	const each = Math.floor(room.amount / nights.length);
	const nightly = nights.map((date, i) => ({ date, amount: each + (i === 0 ? room.amount! - each * nights.length : 0) }));
	return { ...room, currency: roomCurrency, nightly };
}

function nextDay(day: string): string {
	return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
