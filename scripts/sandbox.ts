/**
 * The local sandbox that `npm start`, `npm run start:queue` and the queue-mode e2e tests share: the
 * local partners (Stripe-, Square-, OTA-, SMTP- and Google-like peers, with bookings waiting at the OTA), a
 * small demo hotel in the hotel store, and the credentials the shipped workflows name, pointing at
 * the peers.
 */
import { startStripePeer, type StripePeer } from '../test/peers/stripePeer';
import { startSquarePeer, type SquarePeer } from '../test/peers/squarePeer';
import { startOtaPeer, type OtaPeer } from '../test/peers/otaPeer';
import { startSmtpPeer, type SmtpPeer } from '../test/peers/smtpPeer';
import { startGooglePeer, type GooglePeer } from '../test/peers/googlePeer';
import { ChannelMappings } from '../lib/channels/mapping';
import { HotelService } from '../lib/booking/hotelService';
import { addDays, today } from '../lib/inventory/dates';
import { closeAllStores, getStore, type StoreConfig } from '../lib/store/db';
import { canValidateOta, OTA_XSD_DIR } from '../test/support/xsd';
import type { N8n } from './n8n';

export const STRIPE_KEY = 'sk_test_local_sandbox';
export const STRIPE_WEBHOOK_SECRET = 'whsec_local_sandbox';
export const PAYMENT_WEBHOOK_PATH = 'hotel-stripe-payments/stripe';
export const SQUARE_ACCESS_TOKEN = 'EAAA-local-sandbox';
export const SQUARE_SIGNATURE_KEY = 'local-sandbox-square-signature-key';
export const SQUARE_WEBHOOK_PATH = 'hotel-square-payments/square';
export const BOOKING_ENGINE_SECRET = 'local-sandbox-booking-engine-secret-0123456789';
export const BOOKING_ENGINE_AUDIENCE = 'hotel-booking-api';
export const OTA_PASSWORD = 'local-sandbox-ota';
export const OTA_WEBHOOK_SECRET = 'local-sandbox-ota-webhook-secret';

/**
 * The local partners, with bookings waiting at the OTA. `printEmails`: each e-mail the local SMTP
 * server takes is printed (npm start's terminal).
 */
export async function startPeers(opts: { printEmails?: boolean } = {}): Promise<Peers> {
	const stripePeer = await startStripePeer({ secretKey: STRIPE_KEY, port: Number(process.env.STRIPE_PEER_PORT ?? 0) });
	const squarePeer = await startSquarePeer({ accessToken: SQUARE_ACCESS_TOKEN, port: Number(process.env.SQUARE_PEER_PORT ?? 0) });
	// The local OTA checks what it receives against the OpenTravel schemas where it can (they live
	// beside the development clone, and need xmllint); a lone clone runs it without that check.
	const validate = canValidateOta();
	const otaPeer = await startOtaPeer({ profile: 'booking', hotelCode: 'SANDBOX1', username: 'hotel', password: OTA_PASSWORD, port: Number(process.env.OTA_PEER_PORT ?? 0), validate });
	if (!validate) console.log(`(The local OTA does not check messages against the OpenTravel schemas: none at ${OTA_XSD_DIR}, or no xmllint.)`);
	// Bookings waiting at the OTA, as Booking.com sends them (stays dated by nightly rates, no
	// TimeSpan): the pull workflow takes them in when it is activated. The third holds a double and
	// a family room.
	for (const [id, name, arrival] of [['BDC-1001', 'Grace Hopper', 5], ['BDC-1002', 'Alan Turing', 12]] as const) {
		otaPeer.queueReservation({
			channelReservationId: id, action: 'book', roomType: 'BDC-DBL', ratePlan: 'BDC-BAR', arrival: addDays(today(), arrival), departure: addDays(today(), arrival + 2),
			rooms: 1, adults: 2, children: 0, amount: 24000, currency: 'EUR', guest: { name, email: `${id.toLowerCase()}@example.com` },
		});
	}
	const family = { arrival: addDays(today(), 8), departure: addDays(today(), 10), ratePlan: 'BDC-BAR', units: 1, childAges: [], nightly: [], currency: 'EUR', status: 'active' as const };
	otaPeer.queueReservation({
		channelReservationId: 'BDC-1003', action: 'book', arrival: family.arrival, departure: family.departure, amount: 60000, currency: 'EUR',
		roomStays: [
			{ ...family, index: '1', roomType: 'BDC-DBL', adults: 2, children: 0, amount: 24000, guestName: 'Ada Lovelace' },
			{ ...family, index: '2', roomType: 'BDC-FAM', adults: 2, children: 2, childAges: [5, 9], amount: 36000, guestName: 'Charles Babbage' },
		],
		guest: { name: 'Ada Lovelace', email: 'bdc-1003@example.com' }, specialRequests: ['Cot in the family room'],
	});
	// Guest e-mails and alerts land in a local SMTP server (each one is printed here); the hotel's
	// calendar is a local Google-like server.
	const smtpPeer = await startSmtpPeer({ port: Number(process.env.SMTP_PEER_PORT ?? 0) });
	if (opts.printEmails) smtpPeer.events.on('message', (m: { to: string[]; subject: string }) => console.log(`  [local SMTP] to ${m.to.join(', ')}: ${m.subject}`));
	const googlePeer = await startGooglePeer();
	return { stripePeer, squarePeer, otaPeer, smtpPeer, googlePeer };
}

export interface Peers {
	stripePeer: StripePeer;
	squarePeer: SquarePeer;
	otaPeer: OtaPeer;
	smtpPeer: SmtpPeer;
	googlePeer: GooglePeer;
}

/** The credentials our shipped workflows name, each pointing at a local peer; ids by credential name. */
export async function createSandboxCredentials(n8n: N8n, { stripePeer, squarePeer, otaPeer, smtpPeer, googlePeer }: Peers, redisKeyPrefix = `hotel-sandbox:${process.pid}:`): Promise<Record<string, string>> {
	const stripe = await n8n.api.createCredential({
		name: 'Hotel Stripe',
		type: 'hotelStripeApi',
		data: { secretKey: STRIPE_KEY, webhookSecret: STRIPE_WEBHOOK_SECRET, baseUrl: stripePeer.url },
	});
	// Square signs the notification URL with each body: the credential names the URL the peer posts to.
	const square = await n8n.api.createCredential({
		name: 'Hotel Square',
		type: 'hotelSquareApi',
		data: {
			accessToken: SQUARE_ACCESS_TOKEN,
			environment: 'custom',
			baseUrl: squarePeer.url,
			locationId: squarePeer.locationId,
			webhookSecret: SQUARE_SIGNATURE_KEY,
			webhookNotificationUrl: n8n.webhookUrl(SQUARE_WEBHOOK_PATH),
		},
	});
	const bookingEngine = await n8n.api.createCredential({
		name: 'Hotel Booking Engine',
		type: 'hotelBookingEngineApi',
		data: { algorithm: 'HS256', secret: BOOKING_ENGINE_SECRET, publicKeyPem: '', issuer: '', audience: BOOKING_ENGINE_AUDIENCE, requiredScope: 'reservations' },
	});
	// The machine's Redis (cache and broadcast for the booking engine); keys under their own prefix.
	const redis = await n8n.api.createCredential({
		name: 'Hotel Redis',
		type: 'hotelRedisApi',
		data: { host: '127.0.0.1', port: 6379, username: '', password: '', database: 0, tls: false, keyPrefix: redisKeyPrefix },
	});
	const ota = await n8n.api.createCredential({
		name: 'Hotel OTA Channel',
		type: 'hotelOtaChannelApi',
		data: { profile: 'booking', channel: 'booking', baseUrl: otaPeer.url, hotelCode: 'SANDBOX1', username: 'hotel', password: OTA_PASSWORD, webhookSecret: OTA_WEBHOOK_SECRET },
	});
	const smtp = await n8n.api.createCredential({
		name: 'Hotel SMTP',
		type: 'hotelSmtpApi',
		data: { host: smtpPeer.host, port: smtpPeer.port, tls: 'none', user: '', password: '', fromAddress: 'frontdesk@hotel.example', fromName: 'Hotel Example' },
	});
	// The sandbox hotel, once for every workflow: its e-mails are signed with it, its calendar events use its time zone.
	const details = await n8n.api.createCredential({ name: 'Hotel Details', type: 'hotelDetailsApi', data: SANDBOX_HOTEL_DETAILS });
	const calendar = await n8n.api.createCredential({
		name: 'Hotel Google Calendar',
		type: 'hotelGoogleServiceAccountApi',
		data: googlePeer.credential(),
	});
	return {
		'Hotel Stripe': stripe.id,
		'Hotel Square': square.id,
		'Hotel Booking Engine': bookingEngine.id,
		'Hotel Redis': redis.id,
		'Hotel OTA Channel': ota.id,
		'Hotel SMTP': smtp.id,
		'Hotel Google Calendar': calendar.id,
		'Hotel Details': details.id,
	};
}

/** The sandbox's hotel details (the Hotel Details credential): its time zone is the one npm start gives n8n. */
export const SANDBOX_HOTEL_DETAILS = {
	hotelName: 'Hotel Example',
	timeZone: 'Europe/Berlin',
	checkInTime: '15:00',
	checkOutTime: '11:00',
	phone: '+49 30 1234567',
	email: 'frontdesk@hotel.example',
	address: 'Example Street 1, 10115 Berlin',
	logoUrl: '',
};

/**
 * Two room types with a year of rooms and rates, so the booking-engine API has something to sell;
 * with `guestReservation`, also one booked stay with a guest e-mail, for the payment curls `npm
 * start` prints (a payment for it marks it paid and e-mails the guest a receipt). Returns its id.
 */
export async function seedDemoHotel(store: StoreConfig, opts: { guestReservation?: boolean } = {}): Promise<{ reservationId?: string }> {
	const hotel = new HotelService(await getStore(store));
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double room', maxOccupancy: 2 });
	await hotel.catalog.upsertRoomType({ code: 'FAM', name: 'Family room', maxOccupancy: 4 });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
	const from = today();
	const to = addDays(from, 365);
	await hotel.setInventory({ roomType: 'DBL', from, to, allotment: 10 });
	await hotel.setInventory({ roomType: 'FAM', from, to, allotment: 4 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from, to, amount: 12000 });
	await hotel.setRates({ roomType: 'FAM', ratePlan: 'BAR', from, to, amount: 18000 });
	// The local OTA calls them by its own codes.
	await new ChannelMappings(await getStore(store), 'booking').set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'BDC-DBL' },
		{ kind: 'room_type', hotelCode: 'FAM', channelCode: 'BDC-FAM' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'BDC-BAR' },
	]);
	const reservation = opts.guestReservation
		? await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: addDays(from, 14), departure: addDays(from, 16), adults: 2, guest: { name: 'Katherine Johnson', email: 'katherine@guest.example' } })
		: undefined;
	await closeAllStores(); // n8n opens it next; an embedded database has one opener at a time
	return { reservationId: reservation?.id };
}

/** Stops every peer. */
export async function stopPeers(peers: Peers): Promise<void> {
	await Promise.all([peers.stripePeer.stop(), peers.squarePeer.stop(), peers.otaPeer.stop(), peers.smtpPeer.stop(), peers.googlePeer.stop()]);
}
