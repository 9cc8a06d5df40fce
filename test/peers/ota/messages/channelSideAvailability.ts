/**
 * The channel's side of an availability query: its answer, OTA_HotelAvailRS — what it would sell
 * for one stay, per room type and rate plan, with how many units are left and the price of the
 * whole stay. Our side only reads it (parseHotelAvailRS in lib/ota/availabilityMessages.ts); the
 * local OTA peer writes it, strictly schema-valid (test/unit/otaAvailabilityMessages.test.ts checks
 * it against the XSD).
 */
import { STAY_STATUSES, type StayRestrictions } from '../../../../lib/ota/availabilityMessages';
import { currencyCode, currencyDecimals, formatAmount, MAX_DECIMALS, type AmountFormat } from '../../../../lib/ota/amounts';
import { MAX_HOTEL_CODE, MAX_ROOM_TYPE } from '../../../../lib/ota/constants';
import { invalidInput } from '../../../../lib/ota/errors';
import type { MessageOptions } from '../../../../lib/ota/types';
import { code, date, integer, optionalCode } from '../../../../lib/ota/values';
import { otaDocument, type XmlBody } from '../../../../lib/ota/xmlWriter';

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

export interface AvailResponseOptions extends MessageOptions {
	/** The stay the offers are for, written as each RoomStay's TimeSpan. */
	arrival?: string;
	departure?: string;
	/** "decimal" (default) writes 123.45, "minorUnits" 12345 with DecimalPlaces. See lib/ota/amounts.ts. */
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
