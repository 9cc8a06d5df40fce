/**
 * A channel's answer to an availability query (OTA_HotelAvailRS): what it would sell for one stay,
 * per room type and rate plan, with how many units are left and the price of the whole stay. Only
 * the parser is ours (the query, OTA_HotelAvailRQ, is built in inventoryMessages.ts): lenient about
 * what channels leave out and strict about counts and amounts, like the other parsers here. The
 * channel's side, the builder the local OTA peer answers with, is
 * test/peers/ota/messages/channelSideAvailability.ts.
 */
import { currencyDecimals, parseAmount, parseDecimalPlaces } from './amounts';
import { indexed, readCount } from './contentReaders';
import { invalidContent } from './errors';
import { parseExpected } from './otaDocument';
import type { ParseOptions, XmlNode } from './types';
import { attr, child, descendAll } from './xmlTree';

/** HotelStay/Availability: Status (Close = stopped, ClosedOnArrival) and the MinLOS / MaxLOS restrictions, in days. */
export interface StayRestrictions {
	status: 'Open' | 'Close' | 'ClosedOnArrival';
	minLos?: number;
	maxLos?: number;
}

/** StayRestrictions' statuses as HotelStay/Availability/@Status writes them; any other is read as Open (ClosedOnArrivalOnRequest as ClosedOnArrival). */
export const STAY_STATUSES: readonly string[] = ['Open', 'Close', 'ClosedOnArrival'];

export interface ParsedAvailOffer {
	roomType: string;
	ratePlan?: string;
	available?: number;
	/** Minor units of the currency's ISO minor unit (EUR cents), whatever DecimalPlaces the message used. */
	totalAmount?: number;
	currency?: string;
	/** RoomStay/@AvailabilityStatus ClosedOut. */
	closed?: boolean;
	/** From the HotelStay naming this RoomStay's RPH, when the channel sends one. */
	restrictions?: StayRestrictions;
}

/**
 * One offer per RoomRate (a RoomStay without RoomRates offers its room types as they are). A room
 * type comes from the RoomRate, else the stay's only RoomType; units from the RoomRate, else the
 * RoomType; the price from RoomRate/Total, else RoomStay/Total.
 */
export function parseHotelAvailRS(xml: string | Uint8Array, opts?: ParseOptions): ParsedAvailOffer[] {
	const message = parseExpected(xml, ['OTA_HotelAvailRS'], opts);
	const restrictionsByRph = readHotelStays(message.body);
	return descendAll(message.body, 'RoomStays', 'RoomStay').flatMap((stay, index) => {
		const offers = readRoomStay(stay, `RoomStays/${indexed('RoomStay', index)}`);
		const status = attr(stay, 'AvailabilityStatus');
		const restrictions = restrictionsByRph.get(attr(stay, 'RPH') ?? '') ?? restrictionsByRph.get(ALL_ROOM_STAYS);
		return offers.map((offer) => ({
			...offer,
			...(status === undefined ? {} : { closed: CLOSED_STATUSES.has(status) }),
			...(restrictions ? { restrictions } : {}),
		}));
	});
}

const ALL_ROOM_STAYS = '*';

/** RoomStay/@AvailabilityStatus values (RateIndicatorType) that mean "not for sale". */
const CLOSED_STATUSES = new Set(['ClosedOut', 'NoAvailability', 'RoomTypeClosed', 'RatePlanClosed', 'DoesNotExist', 'UnableToProcess']);

/** HotelStay restrictions by the RoomStay RPHs they name (a HotelStay may name several, space-separated). */
function readHotelStays(body: XmlNode): Map<string, StayRestrictions> {
	const byRph = new Map<string, StayRestrictions>();
	descendAll(body, 'HotelStays', 'HotelStay').forEach((stay, index) => {
		const path = `HotelStays/${indexed('HotelStay', index)}/Availability`;
		const availability = child(stay, 'Availability');
		const status = attr(availability, 'Status');
		if (availability === undefined || status === undefined) return; // nothing said about availability
		const restrictions: StayRestrictions = { status: STAY_STATUSES.includes(status) ? (status as StayRestrictions['status']) : 'Open' };
		if (status === 'ClosedOnArrivalOnRequest') restrictions.status = 'ClosedOnArrival';
		for (const restriction of descendAll(availability, 'Restriction')) {
			const type = attr(restriction, 'RestrictionType');
			const time = attr(restriction, 'Time');
			if (time === undefined || (type !== 'MinLOS' && type !== 'MaxLOS')) continue;
			restrictions[type === 'MinLOS' ? 'minLos' : 'maxLos'] = readCount(time, path, `${type} Time`);
		}
		// A HotelStay that names no RoomStay is about the whole hotel: every room stay.
		const rphs = (attr(stay, 'RoomStayRPH') ?? '').split(/\s+/).filter(Boolean);
		for (const rph of rphs.length > 0 ? rphs : [ALL_ROOM_STAYS]) byRph.set(rph, restrictions);
	});
	return byRph;
}

function readRoomStay(stay: XmlNode, path: string): ParsedAvailOffer[] {
	const roomTypes = descendAll(stay, 'RoomTypes', 'RoomType');
	const ratePlans = descendAll(stay, 'RatePlans', 'RatePlan');
	const roomRates = descendAll(stay, 'RoomRates', 'RoomRate');
	// Without a code of its own, a RoomRate belongs to the stay's one room type or rate plan.
	const onlyRoomType = roomTypes.length === 1 ? roomTypes[0] : undefined;
	const onlyRatePlan = ratePlans.length === 1 ? attr(ratePlans[0], 'RatePlanCode') : undefined;
	const stayTotal = child(stay, 'Total');
	if (roomRates.length === 0) {
		return roomTypes.map((roomType, index) => readOffer(roomType, undefined, onlyRatePlan, stayTotal, `${path}/RoomTypes/${indexed('RoomType', index)}`));
	}
	return roomRates.map((roomRate, index) => {
		const ratePath = `${path}/RoomRates/${indexed('RoomRate', index)}`;
		const roomCode = attr(roomRate, 'RoomTypeCode');
		const roomType = roomCode === undefined ? onlyRoomType : roomTypes.find((each) => roomCodeOf(each) === roomCode);
		return readOffer(roomRate, roomType, onlyRatePlan, child(roomRate, 'Total') ?? stayTotal, ratePath);
	});
}

function roomCodeOf(roomType: XmlNode | undefined): string | undefined {
	return attr(roomType, 'RoomTypeCode') ?? attr(roomType, 'RoomType');
}

/** `node` is the RoomRate (or the RoomType, for a stay without rates); `roomType` fills what it leaves out. */
function readOffer(node: XmlNode, roomType: XmlNode | undefined, stayRatePlan: string | undefined, total: XmlNode | undefined, path: string): ParsedAvailOffer {
	const roomCode = roomCodeOf(node) ?? roomCodeOf(roomType);
	if (roomCode === undefined) throw invalidContent(path, 'missing RoomTypeCode');
	const offer: ParsedAvailOffer = { roomType: roomCode };
	const ratePlan = attr(node, 'RatePlanCode') ?? stayRatePlan;
	if (ratePlan !== undefined) offer.ratePlan = ratePlan;
	const units = attr(node, 'NumberOfUnits') ?? attr(roomType, 'NumberOfUnits');
	if (units !== undefined) offer.available = readCount(units, path, 'NumberOfUnits');
	if (total) Object.assign(offer, readTotal(total, `${path}/Total`));
	return offer;
}

/** After tax, else before tax; in minor units of the currency's ISO minor unit. */
function readTotal(total: XmlNode, path: string): Pick<ParsedAvailOffer, 'totalAmount' | 'currency'> {
	const currency = attr(total, 'CurrencyCode')?.toUpperCase();
	const value = attr(total, 'AmountAfterTax') ?? attr(total, 'AmountBeforeTax');
	const stated = parseDecimalPlaces(attr(total, 'DecimalPlaces'), path);
	const result: Pick<ParsedAvailOffer, 'totalAmount' | 'currency'> = {};
	if (currency !== undefined) result.currency = currency;
	if (value !== undefined) result.totalAmount = parseAmount(value, stated, currency ? currencyDecimals(currency) : (stated ?? 2), path);
	return result;
}
