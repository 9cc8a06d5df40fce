/**
 * A channel's answer to an availability query (OTA_HotelAvailRS): what it would sell for one stay,
 * per room type and rate plan, with how many units are left and the price of the whole stay. The
 * builder is the channel's side (the local OTA peer writes it); the parser is ours, lenient about
 * what channels leave out and strict about counts and amounts, like the other parsers here.
 */
import { MAX_HOTEL_CODE, MAX_ROOM_TYPE } from './constants';
import { currencyCode, currencyDecimals, formatAmount, MAX_DECIMALS, parseAmount, parseDecimalPlaces, type AmountFormat } from './amounts';
import { indexed, readCount } from './contentReaders';
import { invalidContent, invalidInput } from './errors';
import { parseExpected } from './otaDocument';
import type { MessageOptions, ParseOptions, XmlNode } from './types';
import { code, date, integer, optionalCode } from './values';
import { attr, child, descendAll } from './xmlTree';
import { otaDocument, type XmlBody } from './xmlWriter';

/** RatePlan/@RatePlanCode is StringLength1to16 in RatePlanType (RoomRate would take 64). */
const MAX_AVAIL_RATE_PLAN = 16;

export interface AvailOffer {
	/** The channel's room type code. */
	roomType: string;
	ratePlan?: string;
	/** Units left for the whole stay. */
	available?: number;
	/** The whole stay, in minor units of `decimals` places (default: the currency's ISO minor unit). */
	totalAmount?: number;
	currency?: string;
	decimals?: number;
	/** Not for sale (stopped, or nothing left): RoomStay/@AvailabilityStatus ClosedOut (else AvailableForSale). */
	closed?: boolean;
	/** The stay's restrictions as the channel holds them: a HotelStay linked to this RoomStay by RPH. */
	restrictions?: StayRestrictions;
}

/** HotelStay/Availability: Status (Close = stopped, ClosedOnArrival) and the MinLOS / MaxLOS restrictions, in days. */
export interface StayRestrictions {
	status: 'Open' | 'Close' | 'ClosedOnArrival';
	minLos?: number;
	maxLos?: number;
}

export interface AvailResponseOptions extends MessageOptions {
	/** The stay the offers are for, written as each RoomStay's TimeSpan. */
	arrival?: string;
	departure?: string;
	/** "decimal" (default) writes 123.45, "minorUnits" 12345 with DecimalPlaces. See amounts.ts. */
	amountFormat?: AmountFormat;
}

/** One RoomStay per offer; no offers is a Success without RoomStays (nothing to sell). */
export function buildHotelAvailRS(hotelCode: string, offers: AvailOffer[], opts: AvailResponseOptions = {}): string {
	const hotel = code(hotelCode, 'hotelCode', MAX_HOTEL_CODE);
	if (!Array.isArray(offers)) throw invalidInput('offers', 'must be a list of offers');
	const timeSpan = stayTimeSpan(opts);
	// RPHs only when some offer has restrictions: the HotelStay names the RoomStays it is about.
	const linked = offers.some((offer) => offer?.restrictions !== undefined);
	const roomStays = offers.map((offer, index) => ({
		...roomStay(offer, `offers[${index}]`, hotel, timeSpan, opts.amountFormat),
		'@_RPH': linked ? String(index + 1) : undefined,
	}));
	const hotelStays = offers.flatMap((offer, index) => (offer.restrictions ? [hotelStay(offer.restrictions, `offers[${index}].restrictions`, index + 1, timeSpan)] : []));
	return otaDocument(
		'OTA_HotelAvailRS',
		{ Success: '', HotelStays: hotelStays.length > 0 ? { HotelStay: hotelStays } : undefined, RoomStays: roomStays.length > 0 ? { RoomStay: roomStays } : undefined },
		opts,
	);
}

const STAY_STATUSES = ['Open', 'Close', 'ClosedOnArrival'];

function hotelStay(restrictions: StayRestrictions, field: string, rph: number, timeSpan: XmlBody | undefined): XmlBody {
	if (!STAY_STATUSES.includes(restrictions.status)) throw invalidInput(`${field}.status`, `must be one of ${STAY_STATUSES.join(', ')}`);
	const restriction = (type: 'MinLOS' | 'MaxLOS', days: number | undefined, name: string) =>
		days === undefined ? [] : [{ '@_RestrictionType': type, '@_Time': integer(days, `${field}.${name}`, 1), '@_TimeUnit': 'Day' }];
	const limits = [...restriction('MinLOS', restrictions.minLos, 'minLos'), ...restriction('MaxLOS', restrictions.maxLos, 'maxLos')];
	return {
		Availability: { '@_Status': restrictions.status, ...timeSpan, Restriction: limits.length > 0 ? limits : undefined },
		'@_RoomStayRPH': String(rph),
	};
}

function stayTimeSpan(opts: AvailResponseOptions): XmlBody | undefined {
	if (opts.arrival === undefined && opts.departure === undefined) return undefined;
	const arrival = date(opts.arrival, 'arrival');
	const departure = date(opts.departure, 'departure');
	if (departure <= arrival) throw invalidInput('departure', `must be after arrival ${arrival}`);
	return { '@_Start': arrival, '@_End': departure };
}

/** The schema's order within RoomStay: RoomTypes, RatePlans, RoomRates, TimeSpan, BasicPropertyInfo. */
function roomStay(offer: AvailOffer, field: string, hotel: string, timeSpan: XmlBody | undefined, format: AmountFormat | undefined): XmlBody {
	const roomType = code(offer.roomType, `${field}.roomType`, MAX_ROOM_TYPE);
	const ratePlan = optionalCode(offer.ratePlan, `${field}.ratePlan`, MAX_AVAIL_RATE_PLAN);
	const units = offer.available === undefined ? undefined : integer(offer.available, `${field}.available`, 0);
	return {
		'@_AvailabilityStatus': offer.closed === undefined ? undefined : offer.closed ? 'ClosedOut' : 'AvailableForSale',
		RoomTypes: { RoomType: { '@_NumberOfUnits': units, '@_RoomTypeCode': roomType } },
		RatePlans: ratePlan === undefined ? undefined : { RatePlan: { '@_RatePlanCode': ratePlan } },
		RoomRates: {
			RoomRate: {
				'@_RoomTypeCode': roomType,
				'@_NumberOfUnits': units,
				'@_RatePlanCode': ratePlan,
				Total: offerTotal(offer, field, format),
			},
		},
		TimeSpan: timeSpan,
		BasicPropertyInfo: { '@_HotelCode': hotel },
	};
}

function offerTotal(offer: AvailOffer, field: string, format: AmountFormat | undefined): XmlBody | undefined {
	if (offer.totalAmount === undefined) return undefined;
	const currency = currencyCode(offer.currency, `${field}.currency`);
	const decimals = offer.decimals === undefined ? currencyDecimals(currency) : integer(offer.decimals, `${field}.decimals`, 0, MAX_DECIMALS);
	return {
		'@_AmountAfterTax': formatAmount(integer(offer.totalAmount, `${field}.totalAmount`, 0), decimals, format),
		'@_CurrencyCode': currency,
		'@_DecimalPlaces': decimals,
	};
}

// ---------------------------------------------------------------------------------------------

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
