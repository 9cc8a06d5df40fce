/**
 * What a channel knows about the hotel after our pushes: per room type (and rate plan) and night,
 * the availability, restrictions and prices. Pushes are deltas, so each update only overwrites the
 * fields it carries, night by night over its inclusive range.
 */
import { addDays } from '../../../lib/inventory/dates';
import { currencyDecimals, type AvailUpdate, type AvailValues, type RateUpdate } from '../../../lib/ota';

/** A night's availability as the channel holds it: the values our updates say (lib/ota/types.ts). */
export type NightAvailability = AvailValues;

export interface NightRate {
	/** Minor units of the currency's ISO minor unit (EUR cents), whatever DecimalPlaces the message used. */
	amount: number;
	currency: string;
}

export interface ChannelView {
	/** `roomCode|night`, or `roomCode|rateCode|night` when the message named a rate plan. */
	availability: Map<string, NightAvailability>;
	/** `roomCode|rateCode|night`. */
	rates: Map<string, NightRate>;
}

const AVAIL_FIELDS = ['bookingLimit', 'stopSell', 'minLos', 'maxLos', 'closedToArrival', 'closedToDeparture'] as const;

export function emptyView(): ChannelView {
	return { availability: new Map(), rates: new Map() };
}

/** Every night from start to end, both included (Booking.com's End is the last night). */
export function nightsInclusive(start: string, end: string): string[] {
	const nights: string[] = [];
	for (let night = start; night <= end; night = addDays(night, 1)) nights.push(night);
	return nights;
}

export function applyAvailability(view: ChannelView, updates: AvailUpdate[]): void {
	for (const update of updates) {
		const prefix = update.ratePlan ? `${update.roomType}|${update.ratePlan}` : update.roomType;
		for (const night of nightsInclusive(update.start, update.end)) {
			const key = `${prefix}|${night}`;
			const current: NightAvailability = { ...view.availability.get(key) };
			for (const field of AVAIL_FIELDS) {
				if (update[field] !== undefined) Object.assign(current, { [field]: update[field] });
			}
			view.availability.set(key, current);
		}
	}
}

export function applyRates(view: ChannelView, rates: RateUpdate[]): void {
	for (const rate of rates) {
		const amount = toCurrencyMinorUnits(rate);
		for (const night of nightsInclusive(rate.start, rate.end)) {
			view.rates.set(`${rate.roomType}|${rate.ratePlan}|${night}`, { amount, currency: rate.currency });
		}
	}
}

/** A message may state more (or fewer) decimals than the currency has; the view keeps one scale. */
function toCurrencyMinorUnits(rate: RateUpdate): number {
	const stated = rate.decimals ?? currencyDecimals(rate.currency);
	const shift = currencyDecimals(rate.currency) - stated;
	return shift >= 0 ? rate.amount * 10 ** shift : Math.round(rate.amount / 10 ** -shift);
}

/** Booking.com takes at most one calendar month per rate range; these ranges break that rule. */
export function rangesSpanningMonths(rates: RateUpdate[]): RateUpdate[] {
	return rates.filter((rate) => rate.start.slice(0, 7) !== rate.end.slice(0, 7));
}
