/**
 * Keeps one calendar event per reservation in step with the reservation, whatever order and
 * however often the changes arrive:
 *  - a booking inserts the event under the id derived from the reservation; if that id exists
 *    (a rerun, or an earlier sync), the event is compared and updated only if it differs;
 *  - a modification reads the event and rewrites it (new dates move it), or creates it if the
 *    calendar never had it;
 *  - a cancellation sets the event's status to `cancelled` rather than deleting it. Google keeps a
 *    cancelled event under its id either way (a deleted one too, so its id can never be inserted
 *    again), and a status update keeps the latest details and version with it. A booking
 *    reinstated later finds the cancelled event and restores it with an update.
 * The reservation's version is stored on the event, so an older change delivered late (a retried
 * webhook, a rerun of an old execution) never overwrites a newer one.
 */
import { invalid } from '../errors';
import { PartnerError } from '../resilience/policy';
import { PARTNER, type CalendarClient } from './client';
import {
	RESERVATION_ID_PROPERTY,
	RESERVATION_VERSION_PROPERTY,
	eventFromReservation,
	eventIdFor,
	type CalendarEvent,
	type EventTime,
	type ReservationLike,
	type StayTimes,
} from './events';

export type ReservationChangeAction = 'created' | 'modified' | 'cancelled';

export interface SyncResult {
	eventId: string;
	action: 'created' | 'updated' | 'cancelled' | 'unchanged';
	/** The event's status in the calendar after the sync. */
	status?: string;
	start?: string;
	end?: string;
	htmlLink?: string;
	/** Why nothing was written, when that is not simply "already up to date". */
	reason?: string;
}

const ACTION_NAMES: Record<string, ReservationChangeAction> = {
	created: 'created',
	create: 'created',
	book: 'created',
	booked: 'created',
	new: 'created',
	modified: 'modified',
	modify: 'modified',
	updated: 'modified',
	update: 'modified',
	cancelled: 'cancelled',
	canceled: 'cancelled',
	cancel: 'cancelled',
};

/**
 * The change to apply: the given action (created | modified | cancelled, or the channel words
 * book | modify | cancel), or — when empty — what the reservation's status implies.
 */
export function changeOf(action: unknown, reservationStatus?: unknown): ReservationChangeAction {
	const given = String(action ?? '').trim().toLowerCase();
	if (given) {
		const change = ACTION_NAMES[given];
		if (!change) throw invalid('action', `Action "${String(action)}" is not one of created, modified, cancelled (or book, modify, cancel).`);
		return change;
	}
	const fromStatus = ACTION_NAMES[String(reservationStatus ?? '').trim().toLowerCase()];
	if (!fromStatus) {
		throw invalid('action', `No action given and the reservation's status (${JSON.stringify(reservationStatus ?? null)}) does not say one: set Action to created, modified or cancelled.`);
	}
	return fromStatus;
}

export async function syncReservation(
	client: CalendarClient,
	calendarId: string,
	reservation: ReservationLike,
	change: ReservationChangeAction,
	times: StayTimes,
): Promise<SyncResult> {
	const desired = eventFromReservation(reservation, times, change === 'cancelled' ? 'cancelled' : 'confirmed');
	const eventId = desired.id as string;
	// A booking is usually new: try the insert first and fall back to reconciling on 409.
	if (change === 'created') {
		const inserted = await client.insertEvent(calendarId, desired);
		if (inserted !== 'exists') return resultOf('created', eventId, inserted, desired);
	}
	// Twice at most: the event can appear (or vanish) between our read and our write.
	for (let round = 0; round < 2; round++) {
		const existing = await client.getEvent(calendarId, eventId);
		if (!existing) {
			if (desired.status === 'cancelled') {
				return { eventId, action: 'unchanged', reason: `The calendar has no event for reservation ${reservation.id}, so there is nothing to cancel.` };
			}
			const inserted = await client.insertEvent(calendarId, desired);
			if (inserted !== 'exists') return resultOf('created', eventId, inserted, desired);
			continue;
		}
		const shown = versionOf(existing);
		const incoming = versionOf(desired);
		if (shown !== undefined && incoming !== undefined && shown > incoming) {
			return {
				...resultOf('unchanged', eventId, existing, desired),
				reason: `The calendar already shows version ${shown} of reservation ${reservation.id}; this change (version ${incoming}) is older and was not applied.`,
			};
		}
		if (sameEvent(existing, desired)) return resultOf('unchanged', eventId, existing, desired);
		const updated = await client.updateEvent(calendarId, eventId, desired);
		if (updated) return resultOf(desired.status === 'cancelled' ? 'cancelled' : 'updated', eventId, updated, desired);
	}
	throw new PartnerError(`The calendar event of reservation ${reservation.id} kept changing while it was synced; run the sync again.`, {
		partner: PARTNER,
		retryable: false,
		status: 409,
		code: 'concurrent_change',
	});
}

/** The event of a reservation, or null when the calendar has none. */
export async function getReservationEvent(client: CalendarClient, calendarId: string, reservationId: string): Promise<CalendarEvent | null> {
	return client.getEvent(calendarId, eventIdFor(reservationId));
}

/** Deletes the event of a reservation; false when there was none (deleting twice is harmless). */
export async function deleteReservationEvent(client: CalendarClient, calendarId: string, reservationId: string): Promise<{ eventId: string; deleted: boolean }> {
	const eventId = eventIdFor(reservationId);
	return { eventId, deleted: await client.deleteEvent(calendarId, eventId) };
}

function resultOf(action: SyncResult['action'], eventId: string, event: CalendarEvent, desired: CalendarEvent): SyncResult {
	return {
		eventId,
		action,
		status: event.status ?? desired.status,
		start: timeOf(event.start ?? desired.start),
		end: timeOf(event.end ?? desired.end),
		htmlLink: event.htmlLink,
	};
}

const timeOf = (t?: EventTime) => t?.dateTime ?? t?.date;

function versionOf(event: CalendarEvent): number | undefined {
	const raw = event.extendedProperties?.private?.[RESERVATION_VERSION_PROPERTY];
	const n = raw === undefined ? NaN : Number(raw);
	return Number.isInteger(n) ? n : undefined;
}

/** Whether the calendar already shows what we would write (Google may write times in another offset). */
function sameEvent(existing: CalendarEvent, desired: CalendarEvent): boolean {
	const sameTime = (a?: EventTime, b?: EventTime) => Date.parse(a?.dateTime ?? '') === Date.parse(b?.dateTime ?? '') && a?.timeZone === b?.timeZone;
	const prop = (e: CalendarEvent, key: string) => e.extendedProperties?.private?.[key];
	return (
		(existing.status ?? 'confirmed') === desired.status &&
		existing.summary === desired.summary &&
		(existing.description ?? '') === (desired.description ?? '') &&
		(existing.transparency ?? 'opaque') === desired.transparency &&
		sameTime(existing.start, desired.start) &&
		sameTime(existing.end, desired.end) &&
		prop(existing, RESERVATION_ID_PROPERTY) === prop(desired, RESERVATION_ID_PROPERTY) &&
		prop(existing, RESERVATION_VERSION_PROPERTY) === prop(desired, RESERVATION_VERSION_PROPERTY)
	);
}
