/**
 * What an e-mail is about, read from the incoming item: a reservation (as the Hotel Reservations
 * node and the OTA triggers output it), a payment (Hotel Payment node output, or the `change` of a
 * Payment Webhook Trigger item) or an integration alert. Each is turned into the flat, formatted
 * values templates use, plus what identifies the item (dedupeKeys.ts makes the dedupe key of it).
 * Missing or malformed input is reported with the field it came from.
 */
import { gatewayPaymentId } from '../payments/squareEvents';
import { currencyDecimals, formatAmount } from '../ota/amounts';
import { daysBetween } from '../inventory/dates';
import { invalid } from '../errors';
import type { Reservation } from '../inventory/reservations';
import { roomSummary } from '../inventory/roomSummary';
import { isHttpUrl, type TemplateValues } from './renderer';

export type Topic = 'reservation' | 'payment' | 'alert';

export interface HotelInfo {
	name: string;
	logoUrl?: string;
	phone?: string;
	email?: string;
	address?: string;
	/** HH:MM in the hotel's time zone (the Hotel Details credential): shown beside arrival and departure. */
	checkInTime?: string;
	checkOutTime?: string;
}

/**
 * What identifies the item an e-mail is about, as read from it (trimmed); a payment's `refunded` is
 * the refunded total as the e-mail shows it ('50.00 EUR'), '' when nothing is refunded. Only
 * dedupeKeys.ts makes a key of it, so the rules for which of these count, and how, are all there.
 */
export type ItemIdentity =
	| { topic: 'reservation'; id: string; version: string }
	| { topic: 'payment'; id: string; refunded: string }
	| { topic: 'alert'; integration: string; alertKey: string; failingSince: string; consecutiveFailures: string };

/** Values for the templates, and what identifies the item (for the dedupe key). */
export interface EmailData {
	values: TemplateValues;
	identity: ItemIdentity;
	reservationId: string | null;
}

type Source = Record<string, unknown>;

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value).trim());
const obj = (value: unknown): Source => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Source) : {});

function money(amount: unknown, currency: unknown): { amount: string; currency: string; total: string } {
	const code = text(currency).toUpperCase();
	if (typeof amount !== 'number' || !Number.isInteger(amount)) return { amount: '', currency: code, total: '' };
	const formatted = formatAmount(Math.abs(amount), currencyDecimals(code || 'XXX'));
	const signed = amount < 0 ? `-${formatted}` : formatted;
	return { amount: signed, currency: code, total: code ? `${signed} ${code}` : signed };
}

export function hotelValues(hotel: HotelInfo): TemplateValues {
	if (!text(hotel.name)) throw invalid('hotelName', 'Hotel Name is empty: the e-mails are signed with it.');
	const logoUrl = text(hotel.logoUrl);
	if (logoUrl && !isHttpUrl(logoUrl)) throw invalid('logoUrl', `Logo URL must be an http(s) URL (got ${JSON.stringify(logoUrl.slice(0, 80))}).`);
	return {
		'hotel.name': text(hotel.name),
		'hotel.logoUrl': logoUrl,
		'hotel.phone': text(hotel.phone),
		'hotel.email': text(hotel.email),
		'hotel.address': text(hotel.address),
		'hotel.checkInTime': text(hotel.checkInTime),
		'hotel.checkOutTime': text(hotel.checkOutTime),
	};
}

function guestValues(guest: Source): TemplateValues {
	return { 'guest.name': text(guest.name), 'guest.email': text(guest.email), 'guest.phone': text(guest.phone) };
}

export function reservationData(source: Source): EmailData {
	const r = source as Partial<Record<keyof Reservation, unknown>>;
	const id = text(r.id);
	if (!id) throw invalid('reservation', 'The reservation has no id: pass a reservation as the Hotel Reservations node or an OTA trigger outputs it.');
	const version = r.version === undefined || r.version === null ? '' : text(r.version);
	const arrival = text(r.arrival).slice(0, 10);
	const departure = text(r.departure).slice(0, 10);
	const nights = /^\d{4}-\d{2}-\d{2}$/.test(arrival) && /^\d{4}-\d{2}-\d{2}$/.test(departure) ? daysBetween(arrival, departure) : NaN;
	const m = money(r.amount, r.currency);
	return {
		values: {
			...guestValues(obj(r.guest)),
			'reservation.id': id,
			'reservation.status': text(r.status),
			'reservation.arrival': arrival,
			'reservation.departure': departure,
			'reservation.nights': Number.isFinite(nights) ? String(nights) : '',
			'reservation.roomType': text(r.roomType),
			'reservation.ratePlan': text(r.ratePlan),
			'reservation.rooms': text(r.rooms),
			'reservation.roomList': roomSummary(r.roomStays),
			'reservation.adults': text(r.adults),
			'reservation.children': text(r.children),
			'reservation.amount': m.amount,
			'reservation.currency': m.currency,
			'reservation.total': m.total,
			'reservation.channel': text(r.channel),
			'reservation.channelReservationId': text(r.channelReservationId),
			'reservation.version': version,
		},
		identity: { topic: 'reservation', id, version },
		reservationId: id,
	};
}

export function paymentData(source: Source): EmailData {
	const id = text(source.paymentId ?? source.id);
	if (!id) throw invalid('payment', 'The payment has no id (paymentId or id): pass a Payment Webhook Trigger item\'s change or a Hotel Payment result.');
	// A receipt shows what was received; a failure what was asked for.
	const received = typeof source.amountReceived === 'number' && source.amountReceived > 0 ? source.amountReceived : source.amount;
	const m = money(received, source.currency);
	const refunded = typeof source.amountRefunded === 'number' && source.amountRefunded > 0 ? money(source.amountRefunded, source.currency).total : '';
	const reservation = obj(source.reservation);
	const reservationId = text(source.reservationId ?? reservation.id);
	return {
		values: {
			...guestValues(obj(source.guest ?? reservation.guest)),
			'payment.id': gatewayPaymentId(id),
			'payment.reservationId': reservationId,
			'payment.amount': m.amount,
			'payment.currency': m.currency,
			'payment.total': m.total,
			'payment.refunded': refunded,
			'payment.status': text(source.status),
			'payment.failureReason': text(source.error ?? source.lastError ?? source.failureReason),
		},
		identity: { topic: 'payment', id, refunded },
		reservationId: reservationId || null,
	};
}

export function alertData(source: Source): EmailData {
	const integration = text(source.integration);
	if (!integration) throw invalid('alert', 'The alert has no integration: pass an Integration Health item (integration, error, consecutiveFailures).');
	const failures = text(source.consecutiveFailures);
	const since = text(source.failingSince ?? source.since);
	return {
		values: {
			'alert.integration': integration,
			'alert.error': text(source.error ?? source.lastError),
			'alert.consecutiveFailures': failures,
			'alert.failingSince': since,
			'alert.checkedAt': text(source.checkedAt ?? source.lastCheckedAt),
		},
		identity: { topic: 'alert', integration, alertKey: text(source.alertKey), failingSince: since, consecutiveFailures: failures },
		reservationId: null,
	};
}

export const dataReaders: Record<Topic, (source: Source) => EmailData> = { reservation: reservationData, payment: paymentData, alert: alertData };
