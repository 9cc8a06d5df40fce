/**
 * What the hotel pushes to channels: availability and restrictions (OTA_HotelAvailNotifRQ), prices
 * (OTA_HotelRateAmountNotifRQ), and an availability query (OTA_HotelAvailRQ). Batching, deltas and
 * per-channel limits (one month per Booking.com request, 2 MB at SiteMinder) are the caller's job;
 * these functions only turn a list of updates into one valid message.
 */
import { AGE_QUALIFYING, MAX_HOTEL_CODE, MAX_RATE_PLAN, MAX_ROOM_TYPE } from './constants';
import { currencyCode, currencyDecimals, formatAmount, MAX_DECIMALS, type AmountFormat } from './amounts';
import { invalidInput } from './errors';
import type { AvailUpdate, MessageOptions, RateUpdate } from './types';
import { code, date, dateRange, integer, optionalCode } from './values';
import { otaDocument, type XmlBody } from './xmlWriter';

/**
 * One AvailStatusMessage holds at most one RestrictionStatus, so an update becomes up to three
 * messages over the same range: the master one (BookingLimit, lengths of stay, open/close), then
 * closed-to-arrival, then closed-to-departure. A channel merges them back, as the local OTA peer
 * does (parseHotelAvailNotif in test/peers/ota/messages/channelSideInventory.ts).
 */
export function buildHotelAvailNotifRQ(hotelCode: string, updates: AvailUpdate[], opts: MessageOptions = {}): string {
	const hotel = code(hotelCode, 'hotelCode', MAX_HOTEL_CODE);
	if (!Array.isArray(updates) || updates.length === 0) throw invalidInput('updates', 'must hold at least one update');
	const messages = updates.flatMap((update, index) => availStatusMessages(update, `updates[${index}]`));
	return otaDocument('OTA_HotelAvailNotifRQ', { AvailStatusMessages: { '@_HotelCode': hotel, AvailStatusMessage: messages } }, opts);
}

function statusApplicationControl(update: { roomType: unknown; ratePlan?: unknown; start: unknown; end: unknown }, field: string): XmlBody {
	const { start, end } = dateRange(update.start, update.end, field);
	return {
		'@_Start': start,
		'@_End': end,
		'@_InvTypeCode': code(update.roomType, `${field}.roomType`, MAX_ROOM_TYPE),
		'@_RatePlanCode': optionalCode(update.ratePlan, `${field}.ratePlan`, MAX_RATE_PLAN),
	};
}

function availStatusMessages(update: AvailUpdate, field: string): XmlBody[] {
	const control = statusApplicationControl(update, field);
	const lengths = lengthsOfStay(update, field);
	const messages: XmlBody[] = [];
	if (update.bookingLimit !== undefined || update.stopSell !== undefined || lengths.length > 0) {
		const limit = update.bookingLimit === undefined ? undefined : integer(update.bookingLimit, `${field}.bookingLimit`, 0);
		messages.push({
			'@_BookingLimit': limit,
			'@_BookingLimitMessageType': limit === undefined ? undefined : 'SetLimit',
			StatusApplicationControl: control,
			LengthsOfStay: lengths.length > 0 ? { LengthOfStay: lengths } : undefined,
			RestrictionStatus: update.stopSell === undefined ? undefined : { '@_Status': openOrClose(update.stopSell, `${field}.stopSell`) },
		});
	}
	const restrictions: Array<[boolean | undefined, 'Arrival' | 'Departure', string]> = [
		[update.closedToArrival, 'Arrival', 'closedToArrival'],
		[update.closedToDeparture, 'Departure', 'closedToDeparture'],
	];
	for (const [closed, restriction, name] of restrictions) {
		if (closed === undefined) continue;
		messages.push({
			StatusApplicationControl: control,
			RestrictionStatus: { '@_Restriction': restriction, '@_Status': openOrClose(closed, `${field}.${name}`) },
		});
	}
	if (messages.length === 0) {
		throw invalidInput(field, 'sets nothing: give bookingLimit, stopSell, minLos, maxLos, closedToArrival or closedToDeparture');
	}
	return messages;
}

function openOrClose(closed: unknown, field: string): 'Open' | 'Close' {
	if (typeof closed !== 'boolean') throw invalidInput(field, 'must be true or false');
	return closed ? 'Close' : 'Open';
}

/** A number sets the restriction, null removes it (RemoveMinLOS / RemoveMaxLOS). */
function lengthsOfStay(update: AvailUpdate, field: string): XmlBody[] {
	const lengths: XmlBody[] = [];
	const entries: Array<[number | null | undefined, 'Min' | 'Max']> = [
		[update.minLos, 'Min'],
		[update.maxLos, 'Max'],
	];
	for (const [value, bound] of entries) {
		if (value === undefined) continue;
		if (value === null) {
			lengths.push({ '@_MinMaxMessageType': `Remove${bound}LOS` });
		} else {
			const nights = integer(value, `${field}.${bound.toLowerCase()}Los`, 1, 999);
			lengths.push({ '@_Time': nights, '@_TimeUnit': 'Day', '@_MinMaxMessageType': `Set${bound}LOS` });
		}
	}
	if (typeof update.minLos === 'number' && typeof update.maxLos === 'number' && update.minLos > update.maxLos) {
		throw invalidInput(field, `minLos ${update.minLos} is above maxLos ${update.maxLos}`);
	}
	return lengths;
}

export interface RateAmountOptions extends MessageOptions {
	/** "decimal" writes 123.45 (default); "minorUnits" writes 12345 with DecimalPlaces="2". See amounts.ts. */
	amountFormat?: AmountFormat;
}

/** One RateAmountMessage per update, the price as BaseByGuestAmt/@AmountAfterTax. */
export function buildHotelRateAmountNotifRQ(hotelCode: string, rates: RateUpdate[], opts: RateAmountOptions = {}): string {
	const hotel = code(hotelCode, 'hotelCode', MAX_HOTEL_CODE);
	if (!Array.isArray(rates) || rates.length === 0) throw invalidInput('rates', 'must hold at least one rate');
	const messages = rates.map((rate, index): XmlBody => {
		const field = `rates[${index}]`;
		const control = statusApplicationControl(rate, field);
		control['@_RatePlanCode'] = code(rate.ratePlan, `${field}.ratePlan`, MAX_RATE_PLAN);
		const currency = currencyCode(rate.currency, `${field}.currency`);
		const decimals = rate.decimals === undefined ? currencyDecimals(currency) : integer(rate.decimals, `${field}.decimals`, 0, MAX_DECIMALS);
		const amount = integer(rate.amount, `${field}.amount`, 0);
		return {
			StatusApplicationControl: control,
			Rates: {
				Rate: {
					BaseByGuestAmts: {
						BaseByGuestAmt: {
							'@_AmountAfterTax': formatAmount(amount, decimals, opts.amountFormat),
							'@_CurrencyCode': currency,
							'@_DecimalPlaces': decimals,
						},
					},
				},
			},
		};
	});
	return otaDocument('OTA_HotelRateAmountNotifRQ', { RateAmountMessages: { '@_HotelCode': hotel, RateAmountMessage: messages } }, opts);
}

export interface AvailQuery {
	arrival: string;
	departure: string;
	adults: number;
	children?: number;
	roomType?: string;
}

/** The schema wants HotelSearchCriteria, then StayDateRange, then RoomStayCandidates, in that order. */
export function buildHotelAvailRQ(hotelCode: string, query: AvailQuery, opts: MessageOptions = {}): string {
	const hotel = code(hotelCode, 'hotelCode', MAX_HOTEL_CODE);
	const arrival = date(query.arrival, 'arrival');
	const departure = date(query.departure, 'departure');
	if (departure <= arrival) throw invalidInput('departure', `must be after arrival ${arrival}`);
	const guestCounts: XmlBody[] = [{ '@_AgeQualifyingCode': AGE_QUALIFYING.adult, '@_Count': integer(query.adults, 'adults', 1, 999) }];
	if (query.children) guestCounts.push({ '@_AgeQualifyingCode': AGE_QUALIFYING.child, '@_Count': integer(query.children, 'children', 0, 999) });
	return otaDocument(
		'OTA_HotelAvailRQ',
		{
			AvailRequestSegments: {
				AvailRequestSegment: {
					'@_AvailReqType': 'Room',
					HotelSearchCriteria: { Criterion: { HotelRef: { '@_HotelCode': hotel } } },
					StayDateRange: { '@_Start': arrival, '@_End': departure },
					RoomStayCandidates: {
						RoomStayCandidate: {
							'@_RoomTypeCode': optionalCode(query.roomType, 'roomType', MAX_ROOM_TYPE),
							'@_Quantity': 1,
							GuestCounts: { GuestCount: guestCounts },
						},
					},
				},
			},
		},
		opts,
	);
}
