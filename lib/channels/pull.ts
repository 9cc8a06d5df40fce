/**
 * Pulling reservations from a channel, the way its profile says:
 *  - Booking.com style: GET new (OTA_HotelResNotif) and modified/cancelled (OTA_HotelResModifyNotif)
 *    reservations, store them, then acknowledge by POSTing the matching RS;
 *  - channel-manager style: OTA_ReadRQ for undelivered reservations, store them, then
 *    OTA_NotifReportRQ — successes and errors in separate requests, as pmsXchange requires.
 * A reservation is acknowledged only after it is stored; one that could not be read or stored is
 * reported as failed (the channel falls back to its own procedure: e-mail to the property), so one
 * bad reservation never holds up the others. Anything not acknowledged comes again.
 */
import { HotelError } from '../errors';
import type { Db } from '../store/db';
import type { HotelService } from '../booking/hotelService';
import { buildHotelResModifyNotifRS, buildHotelResNotifRS, buildNotifReportRQ, buildReadRQ, parseReservations } from '../ota';
import type { ReservationResult } from '../ota/types';
import { sendToChannel, type ChannelConnection } from './channelClient';
import { intakeLog, takeIn, type IntakeResult } from './intake';
import { ChannelMappings } from './mapping';
import { chunk } from './ranges';

export async function pullReservations(db: Db, hotel: HotelService, conn: ChannelConnection): Promise<IntakeResult[]> {
	const mappings = new ChannelMappings(db, conn.channel);
	const { profile } = conn;
	const limits = { maxBytes: profile.limits.maxMessageBytes };
	if (profile.reservations === 'push') {
		throw new HotelError('invalid', `${profile.name} channels push their reservations: there is nothing to pull. Give ${conn.channel} the OTA Webhook Trigger's URL instead.`);
	}
	if (profile.reservations === 'pull-get') {
		const results: IntakeResult[] = [];
		const feeds = [
			{ path: profile.paths.pullNew!, message: 'OTA_HotelResNotifRQ', answer: buildHotelResNotifRS },
			{ path: profile.paths.pullModified!, message: 'OTA_HotelResModifyNotifRQ', answer: buildHotelResModifyNotifRS },
		];
		for (const feed of feeds) {
			const got = await sendToChannel(db, conn, feed.path, '', { message: feed.message, direction: 'pull' }, { method: 'GET', expectAck: false });
			const batch = parseReservations(got.body, limits);
			if (batch.reservations.length + batch.failures.length === 0) continue;
			const taken = await takeIn(hotel, mappings, batch, intakeLog(db, conn.channel, feed.message, 'pull'));
			await acknowledge(db, conn, feed.path, taken, (acks) => feed.answer(acks, { hotelCode: conn.hotelCode }), feed.message.replace('RQ', 'RS'));
			results.push(...taken);
		}
		return results;
	}
	const got = await sendToChannel(db, conn, profile.paths.read!, buildReadRQ(conn.hotelCode), { message: 'OTA_ReadRQ', direction: 'pull' }, { expectAck: false });
	const batch = parseReservations(got.body, limits);
	if (batch.reservations.length + batch.failures.length === 0) return [];
	const taken = await takeIn(hotel, mappings, batch, intakeLog(db, conn.channel, 'OTA_ResRetrieveRS', 'pull'));
	await acknowledge(db, conn, profile.paths.notifReport!, taken, (acks) => buildNotifReportRQ(acks, { hotelCode: conn.hotelCode }), 'OTA_NotifReportRQ');
	return taken;
}

/** Successes and failures go in separate messages: a channel reads one verdict per message. */
async function acknowledge(db: Db, conn: ChannelConnection, path: string, taken: IntakeResult[], build: (acks: ReservationResult[]) => string, message: string) {
	const successes = taken.filter((t) => t.ack.ok).map((t) => t.ack);
	// A reservation whose id could not even be read cannot be named: it stays unacknowledged, and
	// the channel's own fallback (redelivery, then e-mail to the property) takes over for it.
	const failures = taken.filter((t) => !t.ack.ok && !t.failure?.unnamed).map((t) => t.ack);
	// An OTA Errors element holds at most 99 errors: a larger batch of failures goes in several messages.
	const batches = [successes, ...chunk(failures, 99)];
	for (const acks of batches) {
		if (acks.length === 0) continue;
		// A failure report is answered with the channel's own verdict on *our* message; only a
		// refusal of the successes' acknowledgement matters (it means they will come again).
		await sendToChannel(db, conn, path, build(acks), { message, direction: 'ack', items: acks.length }, { expectAck: acks === successes });
	}
}
