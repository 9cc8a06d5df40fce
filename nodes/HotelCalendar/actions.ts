/**
 * What each operation of the Hotel Calendar node does. The reservation → event rules, the event id
 * and the create/update/cancel logic live in lib/calendar; here we only read the parameters.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { CalendarClient } from '../../lib/calendar/client';
import { eventIdFor, type ReservationLike } from '../../lib/calendar/events';
import { changeOf, deleteReservationEvent, getReservationEvent, syncReservation } from '../../lib/calendar/sync';
import { invalid } from '../../lib/errors';
import { jsonObject } from '../../lib/jsonObject';
import { param, str } from '../shared/parameters';
import { PARTNER } from '../../lib/calendar/client';
import { syncReservationsBehind } from '../../lib/calendar/catchUp';
import { PartnerError } from '../../lib/resilience/policy';
import { hotelStore } from '../shared/hotelStore';
import type { HotelDetails } from '../shared/hotelDetails';

export const DEFAULT_RESERVATION_EXPRESSION = '={{ $json.reservation ?? $json }}';
export const DEFAULT_ACTION_EXPRESSION = '={{ $json.action }}';

export interface CalendarContext {
	fn: IExecuteFunctions;
	i: number;
	client: () => Promise<CalendarClient>;
	/** From the Hotel Details credential, when the node uses it; else the node's own fields. */
	details?: HotelDetails;
}

type Action = (ctx: CalendarContext) => Promise<IDataObject>;

const calendarIdOf = (ctx: CalendarContext) => str(ctx, 'calendarId', 'primary') || 'primary';

function reservationIdOf(ctx: CalendarContext): string {
	const id = str(ctx, 'reservationId');
	if (!id) throw invalid('reservationId', 'Reservation ID is empty: set the hotel reservation whose event to read or delete.');
	return id;
}

function reservationOf(ctx: CalendarContext): ReservationLike {
	const value = param(ctx, 'reservation');
	return jsonObject(value, 'reservation', { label: 'Reservation', expected: 'a reservation object (id, guest, arrival, departure, …)' }) as unknown as ReservationLike;
}

/** Which calendar a catch-up remembers: the account (credential) and the calendar in it. */
function calendarKeyOf(ctx: CalendarContext, calendarId: string): string {
	const authentication = str(ctx, 'authentication', 'oAuth2');
	const type = authentication === 'serviceAccount' ? 'hotelGoogleServiceAccountApi' : 'hotelGoogleCalendarOAuth2Api';
	return `${type}:${ctx.fn.getNode().credentials?.[type]?.id ?? 'unsaved'}:${calendarId}`;
}

const stayTimesOf = (ctx: CalendarContext) =>
	ctx.details
		? { timeZone: ctx.details.timeZone || ctx.fn.getTimezone(), checkInTime: ctx.details.checkInTime, checkOutTime: ctx.details.checkOutTime }
		: {
				// Empty: the workflow's time zone (Workflow Settings), which defaults to the instance's.
				timeZone: str(ctx, 'timeZone') || ctx.fn.getTimezone(),
				checkInTime: str(ctx, 'checkInTime', '15:00'),
				checkOutTime: str(ctx, 'checkOutTime', '11:00'),
			};

export const actions: Record<string, Action> = {
	async 'event.syncReservation'(ctx) {
		const reservation = reservationOf(ctx);
		const change = changeOf(param(ctx, 'action'), reservation.status);
		const calendarId = calendarIdOf(ctx);
		const result = await syncReservation(await ctx.client(), calendarId, reservation, change, stayTimesOf(ctx));
		return { reservationId: String(reservation.id), calendarId, change, ...result };
	},

	async 'event.syncChanged'(ctx) {
		const calendarId = calendarIdOf(ctx);
		const report = await syncReservationsBehind(await ctx.client(), await hotelStore(ctx.fn), {
			calendar: calendarKeyOf(ctx, calendarId),
			calendarId,
			times: stayTimesOf(ctx),
			limit: Number(ctx.fn.getNodeParameter('perRun', ctx.i, 50)),
			pastDays: Number(ctx.fn.getNodeParameter('pastDays', ctx.i, 7)),
		});
		if (report.failed) {
			// A red execution, not a green one that hides a calendar that does not answer.
			throw new PartnerError(
				`The calendar catch-up stopped at reservation ${report.failed.reservationId} after syncing ${report.synced.length} (${report.remaining} still behind; the next run goes on): ${report.failed.error}`,
				{ partner: PARTNER, retryable: false },
			);
		}
		return { calendarId, ...report } as unknown as IDataObject;
	},

	async 'event.get'(ctx) {
		const reservationId = reservationIdOf(ctx);
		const calendarId = calendarIdOf(ctx);
		const event = await getReservationEvent(await ctx.client(), calendarId, reservationId);
		return { reservationId, calendarId, eventId: eventIdFor(reservationId), found: event !== null, event: event as IDataObject | null };
	},

	async 'event.delete'(ctx) {
		const reservationId = reservationIdOf(ctx);
		const calendarId = calendarIdOf(ctx);
		return { reservationId, calendarId, ...(await deleteReservationEvent(await ctx.client(), calendarId, reservationId)) };
	},
};
