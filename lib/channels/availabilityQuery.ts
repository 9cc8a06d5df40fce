/**
 * Asking a channel what it would sell for a stay (OTA_HotelAvailRQ / OTA_HotelAvailRS): a check
 * that our pushes arrived, in the hotel's own codes. The question goes out in the channel's codes;
 * an answer naming a code we have no mapping for is kept as the channel sent it, marked
 * `mapped: false`, because it is what the channel really sells and the operator should see it.
 */
import type { Queryable } from '../store/db';
import { buildHotelAvailRQ, parseHotelAvailRS, type ParsedAvailOffer } from '../ota';
import { sendToChannel, type ChannelConnection } from './channelClient';
import { ChannelMappings, type Mapping, type MappingKind } from './mapping';

export interface AvailabilityQuery {
	/** YYYY-MM-DD, the first night. */
	arrival: string;
	/** YYYY-MM-DD, the day of departure (not a night of the stay). */
	departure: string;
	/** Default 2. */
	adults?: number;
	/** The hotel's room type code; it must be mapped for this channel. */
	roomType?: string;
}

export interface ChannelOffer extends ParsedAvailOffer {
	/** false when the channel named a room type or rate plan that is not mapped to one of ours. */
	mapped: boolean;
}

export async function queryChannelAvailability(db: Queryable, conn: ChannelConnection, query: AvailabilityQuery): Promise<ChannelOffer[]> {
	const mappings = new ChannelMappings(db, conn.channel);
	const roomType = query.roomType === undefined ? undefined : await mappings.toChannel('room_type', query.roomType);
	const xml = buildHotelAvailRQ(conn.hotelCode, { arrival: query.arrival, departure: query.departure, adults: query.adults ?? 2, roomType });
	const answer = await sendToChannel(db, conn, conn.profile.paths.availQuery, xml, { message: 'OTA_HotelAvailRQ', direction: 'query' });
	const known = await mappings.list();
	// What it sells: a room the channel reports closed out is not an offer (the audit reads those, audit.ts).
	return parseHotelAvailRS(answer.body)
		.filter((offer) => offer.closed !== true)
		.map((offer) => toHotelCodes(sellable(offer), known));
}

/** An offer as the query reports it: what is sold, at what price (the channel's state is the audit's). */
function sellable(offer: ParsedAvailOffer): ParsedAvailOffer {
	const result = { ...offer };
	delete result.closed;
	delete result.restrictions;
	return result;
}

function toHotelCodes(offer: ParsedAvailOffer, known: Mapping[]): ChannelOffer {
	const roomType = hotelCodeFor(known, 'room_type', offer.roomType);
	const ratePlan = offer.ratePlan === undefined ? undefined : hotelCodeFor(known, 'rate_plan', offer.ratePlan);
	const ratePlanMapped = offer.ratePlan === undefined || ratePlan !== undefined;
	const result: ChannelOffer = { ...offer, roomType: roomType ?? offer.roomType, mapped: roomType !== undefined && ratePlanMapped };
	if (ratePlan !== undefined) result.ratePlan = ratePlan;
	return result;
}

/** Our code for the channel's, if it is mapped (fromChannel would throw, and we keep the offer). */
function hotelCodeFor(known: Mapping[], kind: MappingKind, channelCode: string): string | undefined {
	return known.find((mapping) => mapping.kind === kind && mapping.channelCode === channelCode)?.hotelCode;
}
