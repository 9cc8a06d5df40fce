/**
 * What a reservation is, as the store keeps it and hands it out. A reservation holds one or more
 * rooms (ReservationRoom), each with its own room type, rate plan, stay, guests and prices; the
 * reservation's own roomType/arrival/departure/rooms/adults/children summarise its active rooms
 * (first room type, earliest arrival, latest departure, sums), so single-room readers keep working.
 */
import type { NightPrice, PaymentModel } from '../ota/types';

export type { NightPrice, PaymentModel };

export interface GuestInput {
	name: string;
	email?: string;
	phone?: string;
}

/** One room of a reservation, as given to the store. Dates default to the reservation's. */
export interface RoomInput {
	/** The channel's id of this room (a modification matches rooms by it); default its position. */
	key?: string;
	status?: 'active' | 'cancelled';
	roomType: string;
	ratePlan?: string;
	arrival?: string;
	departure?: string;
	/** Rooms of this type held by this line (a channel's NumberOfUnits); default 1. */
	units?: number;
	adults?: number;
	children?: number;
	childAges?: number[];
	guestName?: string;
	/** This room's total in minor units; priced from its rate plan when omitted (hotel-controlled bookings). */
	amount?: number;
	taxes?: number;
	currency?: string;
	nightly?: NightPrice[];
}

/**
 * A reservation as given to the store: one room in the short form the booking-engine API has always
 * taken (roomType, ratePlan, rooms, adults, children), or several in `roomStays`.
 */
export interface StayInput {
	roomType?: string;
	ratePlan?: string;
	arrival?: string;
	departure?: string;
	rooms?: number;
	adults?: number;
	children?: number;
	roomStays?: RoomInput[];
	/** Total in minor units; the sum of the rooms' when omitted. */
	amount?: number;
	currency?: string;
	taxes?: number;
	commission?: number;
	paymentModel?: PaymentModel;
	comments?: string[];
	specialRequests?: string[];
	guest: GuestInput;
}

export type ReservationStatus = 'booked' | 'modified' | 'cancelled';

export interface ReservationRoom {
	key: string;
	status: 'active' | 'cancelled';
	roomType: string;
	ratePlan: string | null;
	arrival: string;
	departure: string;
	units: number;
	adults: number;
	children: number;
	childAges: number[];
	guestName: string | null;
	amount: number | null;
	taxes: number | null;
	currency: string | null;
	nightly: NightPrice[];
	/** A channel-guaranteed room stored on a night without a room left. */
	overbooked: boolean;
}

export interface Reservation {
	id: string;
	channel: string;
	channelReservationId: string | null;
	channelVersion: string | null;
	status: ReservationStatus;
	/** The first active room's type and rate plan (summary). */
	roomType: string;
	ratePlan: string | null;
	/** Earliest arrival and latest departure over the active rooms (summary). */
	arrival: string;
	departure: string;
	/** Rooms held: the units of the active rooms (summary). */
	rooms: number;
	adults: number;
	children: number;
	amount: number | null;
	currency: string | null;
	taxes: number | null;
	commission: number | null;
	paymentModel: PaymentModel | null;
	comments: string[];
	specialRequests: string[];
	guest: { name: string; email: string | null; phone: string | null };
	/** Any room overbooked. */
	overbooked: boolean;
	roomStays: ReservationRoom[];
	version: number;
	createdAt: string;
	updatedAt: string;
}

export interface ChannelChange {
	channel: string;
	channelReservationId: string;
	/** The channel's version of this reservation (e.g. a modification counter or timestamp). */
	channelVersion: string;
	action: 'book' | 'modify' | 'cancel';
	/** Required for book and modify. */
	stay?: StayInput;
}

export interface ReservationChange {
	action: 'created' | 'modified' | 'cancelled';
	reservation: Reservation;
	/** Nights whose availability changed, per room type. */
	nights: Array<{ roomType: string; nights: string[] }>;
}

export type ChangeListener = (change: ReservationChange) => Promise<void> | void;
