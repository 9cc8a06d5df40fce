/**
 * The channel's side of availability and rate pushes: reads OTA_HotelAvailNotifRQ and
 * OTA_HotelRateAmountNotifRQ (what lib/ota/inventoryMessages.ts builds) back into updates, for the
 * local OTA peer and for tests checking what we send. Date ranges are read as inclusive
 * (Booking.com's convention, which we write).
 */
import { currencyDecimals, parseAmount, parseDecimalPlaces } from '../../../../lib/ota/amounts';
import { indexed, readCount, readDate } from '../../../../lib/ota/contentReaders';
import { invalidContent } from '../../../../lib/ota/errors';
import { parseExpected } from '../../../../lib/ota/otaDocument';
import type { AvailUpdate, ParseOptions, RateUpdate, XmlNode } from '../../../../lib/ota/types';
import { attr, child, children, descendAll } from '../../../../lib/ota/xmlTree';

function requiredAttr(node: XmlNode | undefined, name: string, path: string): string {
	const value = attr(node, name);
	if (value === undefined) throw invalidContent(path, `missing ${name}`);
	return value;
}

interface ControlledRange {
	roomType: string;
	ratePlan?: string;
	start: string;
	end: string;
}

function readControl(message: XmlNode, path: string): ControlledRange {
	const control = child(message, 'StatusApplicationControl');
	if (!control) throw invalidContent(path, 'missing StatusApplicationControl');
	const controlPath = `${path}/StatusApplicationControl`;
	const roomType = attr(control, 'InvTypeCode') ?? attr(control, 'InvCode');
	if (!roomType) throw invalidContent(controlPath, 'missing InvTypeCode');
	const start = readDate(requiredAttr(control, 'Start', controlPath), controlPath, 'Start');
	const end = readDate(requiredAttr(control, 'End', controlPath), controlPath, 'End');
	if (end < start) throw invalidContent(controlPath, `End ${end} is before Start ${start}`);
	const range: ControlledRange = { roomType, start, end };
	const ratePlan = attr(control, 'RatePlanCode');
	if (ratePlan) range.ratePlan = ratePlan;
	return range;
}

export interface ParsedAvailNotif {
	hotelCode?: string;
	echoToken?: string;
	updates: AvailUpdate[];
}

/**
 * Consecutive AvailStatusMessages for the same room type, rate plan and range are merged into one
 * update (that is how a master message and its arrival/departure restrictions travel).
 */
export function parseHotelAvailNotif(xml: string | Uint8Array, opts?: ParseOptions): ParsedAvailNotif {
	const message = parseExpected(xml, ['OTA_HotelAvailNotifRQ'], opts);
	const container = child(message.body, 'AvailStatusMessages');
	const updates: AvailUpdate[] = [];
	children(container, 'AvailStatusMessage').forEach((statusMessage, index) => {
		const path = indexed('AvailStatusMessage', index);
		const update: AvailUpdate = { ...readControl(statusMessage, path) };
		const limit = attr(statusMessage, 'BookingLimit');
		if (limit !== undefined) update.bookingLimit = readCount(limit, path, 'BookingLimit');
		readLengthsOfStay(statusMessage, path, update);
		readRestriction(child(statusMessage, 'RestrictionStatus'), update);
		const previous = updates[updates.length - 1];
		if (previous && sameRange(previous, update)) Object.assign(previous, update);
		else updates.push(update);
	});
	return { hotelCode: attr(container, 'HotelCode'), echoToken: message.echoToken, updates };
}

function sameRange(a: ControlledRange, b: ControlledRange): boolean {
	return a.roomType === b.roomType && a.ratePlan === b.ratePlan && a.start === b.start && a.end === b.end;
}

function readLengthsOfStay(statusMessage: XmlNode, path: string, update: AvailUpdate): void {
	descendAll(statusMessage, 'LengthsOfStay', 'LengthOfStay').forEach((length, index) => {
		const lengthPath = `${path}/LengthsOfStay/${indexed('LengthOfStay', index)}`;
		const type = attr(length, 'MinMaxMessageType');
		const time = attr(length, 'Time');
		const unit = attr(length, 'TimeUnit') ?? 'Day';
		if (unit !== 'Day' && unit !== 'Week') throw invalidContent(lengthPath, `TimeUnit "${unit}" is not supported`);
		// Time 0 sets no restriction at all, which is what removing it means.
		const nights = time === undefined ? null : readCount(time, lengthPath, 'Time') * (unit === 'Week' ? 7 : 1) || null;
		if (type === 'SetMinLOS' || type === 'MinLOS' || type === 'SetForwardMinStay') update.minLos = nights;
		else if (type === 'SetMaxLOS' || type === 'MaxLOS' || type === 'SetForwardMaxStay') update.maxLos = nights;
		else if (type === 'RemoveMinLOS' || type === 'RemoveForwardMinStay') update.minLos = null;
		else if (type === 'RemoveMaxLOS' || type === 'RemoveForwardMaxStay') update.maxLos = null;
	});
}

function readRestriction(status: XmlNode | undefined, update: AvailUpdate): void {
	const value = attr(status, 'Status');
	if (!value) return;
	const restriction = attr(status, 'Restriction') ?? 'Master';
	const closed = value === 'Close';
	if (restriction === 'Arrival') update.closedToArrival = closed;
	else if (restriction === 'Departure') update.closedToDeparture = closed;
	else if (restriction === 'Master' && value === 'ClosedOnArrival') update.closedToArrival = true;
	else if (restriction === 'Master') update.stopSell = closed;
}

export interface ParsedRateAmountNotif {
	hotelCode?: string;
	echoToken?: string;
	rates: RateUpdate[];
}

/**
 * One rate per RateAmountMessage: the BaseByGuestAmt without NumberOfGuests, else the one for the
 * most guests (the full-occupancy price); AmountAfterTax, else AmountBeforeTax.
 */
export function parseHotelRateAmountNotif(xml: string | Uint8Array, opts?: ParseOptions): ParsedRateAmountNotif {
	const message = parseExpected(xml, ['OTA_HotelRateAmountNotifRQ'], opts);
	const container = child(message.body, 'RateAmountMessages');
	const rates = children(container, 'RateAmountMessage').map((rateMessage, index): RateUpdate => {
		const path = indexed('RateAmountMessage', index);
		const range = readControl(rateMessage, path);
		if (!range.ratePlan) throw invalidContent(`${path}/StatusApplicationControl`, 'missing RatePlanCode');
		const rate = descendAll(rateMessage, 'Rates', 'Rate')[0];
		const amounts = descendAll(rate, 'BaseByGuestAmts', 'BaseByGuestAmt');
		const chosen =
			amounts.find((amount) => attr(amount, 'NumberOfGuests') === undefined) ??
			[...amounts].sort((a, b) => Number(attr(b, 'NumberOfGuests')) - Number(attr(a, 'NumberOfGuests')))[0];
		const amountPath = `${path}/Rates/Rate/BaseByGuestAmts/BaseByGuestAmt`;
		if (!chosen) throw invalidContent(`${path}/Rates/Rate`, 'missing BaseByGuestAmts/BaseByGuestAmt');
		const value = attr(chosen, 'AmountAfterTax') ?? attr(chosen, 'AmountBeforeTax');
		if (value === undefined) throw invalidContent(amountPath, 'missing AmountAfterTax');
		const currency = (attr(chosen, 'CurrencyCode') ?? attr(rate, 'CurrencyCode'))?.toUpperCase();
		if (!currency) throw invalidContent(amountPath, 'missing CurrencyCode');
		const stated = parseDecimalPlaces(attr(chosen, 'DecimalPlaces') ?? attr(rate, 'DecimalPlaces'), amountPath);
		const decimals = stated ?? currencyDecimals(currency);
		return { ...range, ratePlan: range.ratePlan, amount: parseAmount(value, stated, decimals, amountPath), currency, decimals };
	});
	return { hotelCode: attr(container, 'HotelCode'), echoToken: message.echoToken, rates };
}
