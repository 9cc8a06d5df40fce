/**
 * What each operation of the Hotel Reservations node does: read its parameters, call the
 * HotelService (store + cache + broadcast), return the JSON the next node sees.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { jsonObject } from '../../lib/jsonObject';
import { optNum, param, str } from '../shared/parameters';
import type { HotelService } from '../../lib/booking/hotelService';
import type { StayInput } from '../../lib/inventory/reservations';

export interface ActionContext {
	fn: IExecuteFunctions;
	i: number;
	hotel: HotelService;
}

type Action = (ctx: ActionContext) => Promise<IDataObject>;


const out = (value: unknown) => value as IDataObject;

export const actions: Record<string, Action> = {
	async 'availability.get'(ctx) {
		const query = {
			arrival: str(ctx, 'arrival'),
			departure: str(ctx, 'departure'),
			roomType: str(ctx, 'roomType') || undefined,
			adults: optNum(ctx, 'adults'),
			children: optNum(ctx, 'children'),
			rooms: optNum(ctx, 'rooms'),
		};
		const { offers, cache } = await ctx.hotel.availability(query);
		return { arrival: query.arrival, departure: query.departure, offers: out(offers), cache };
	},

	async 'reservation.create'(ctx) {
		const stay: StayInput =
			param(ctx, 'detailsFrom', 'fields') === 'json'
				? (jsonObject(param(ctx, 'reservationJson'), 'reservationJson', { label: 'Reservation (JSON)' }) as unknown as StayInput)
				: {
						roomType: str(ctx, 'roomType'),
						ratePlan: str(ctx, 'ratePlan'),
						arrival: str(ctx, 'arrival'),
						departure: str(ctx, 'departure'),
						adults: optNum(ctx, 'adults'),
						children: optNum(ctx, 'children'),
						rooms: optNum(ctx, 'rooms'),
						guest: { name: str(ctx, 'guestName'), email: str(ctx, 'guestEmail') || undefined, phone: str(ctx, 'guestPhone') || undefined },
					};
		return out(await ctx.hotel.create(stay));
	},

	async 'reservation.get'(ctx) {
		return out(await ctx.hotel.book.get(str(ctx, 'reservationId')));
	},

	async 'reservation.list'(ctx) {
		const reservations = await ctx.hotel.book.list({
			from: str(ctx, 'listFrom') || undefined,
			to: str(ctx, 'listTo') || undefined,
			status: (str(ctx, 'status') || undefined) as 'booked' | 'modified' | 'cancelled' | undefined,
			limit: optNum(ctx, 'limit'),
		});
		return { reservations: out(reservations), count: reservations.length };
	},

	async 'reservation.update'(ctx) {
		const changes = jsonObject(param(ctx, 'changes'), 'changes', { label: 'Changes (JSON)' }) as Partial<StayInput>;
		return out(await ctx.hotel.update(str(ctx, 'reservationId'), changes));
	},

	async 'reservation.cancel'(ctx) {
		return out(await ctx.hotel.cancel(str(ctx, 'reservationId')));
	},

	async 'guestData.eraseExpired'(ctx) {
		const daysAfterDeparture = Number(param(ctx, 'daysAfterDeparture', 365));
		return out(await ctx.hotel.eraseExpiredGuestData({ daysAfterDeparture, limit: Number(param(ctx, 'batchSize', 500)) }));
	},

	async 'guestData.erase'(ctx) {
		return out(await ctx.hotel.eraseGuestData({ reservationId: str(ctx, 'eraseReservationId') || undefined, email: str(ctx, 'guestEmail') || undefined }));
	},

	async 'inventory.set'(ctx) {
		const f = param(ctx, 'inventoryFields', {}) as IDataObject;
		const los = (v: unknown) => (v === undefined ? undefined : Number(v) > 0 ? Number(v) : null);
		return out(
			await ctx.hotel.setInventory({
				roomType: str(ctx, 'roomType'),
				from: str(ctx, 'from'),
				to: str(ctx, 'to'),
				allotment: f.allotment === undefined ? undefined : Number(f.allotment),
				stopSell: f.stopSell as boolean | undefined,
				minLos: los(f.minLos),
				maxLos: los(f.maxLos),
				closedToArrival: f.closedToArrival as boolean | undefined,
				closedToDeparture: f.closedToDeparture as boolean | undefined,
			}),
		);
	},

	async 'rate.set'(ctx) {
		return out(
			await ctx.hotel.setRates({ roomType: str(ctx, 'roomType'), ratePlan: str(ctx, 'ratePlan'), from: str(ctx, 'from'), to: str(ctx, 'to'), amount: Number(param(ctx, 'amount', 0)) }),
		);
	},

	async 'roomType.upsert'(ctx) {
		return out(await ctx.hotel.catalog.upsertRoomType({ code: str(ctx, 'code'), name: str(ctx, 'name'), maxOccupancy: optNum(ctx, 'maxOccupancy') }));
	},

	async 'ratePlan.upsert'(ctx) {
		return out(await ctx.hotel.catalog.upsertRatePlan({ code: str(ctx, 'code'), name: str(ctx, 'name'), currency: str(ctx, 'currency') }));
	},
};
