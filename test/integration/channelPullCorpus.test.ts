/**
 * The corpus of channels' published shapes taken in through the pull (what the OTA Booking Trigger
 * runs on its schedule), against the local OTA peer answering each pull with the message as it is:
 * every readable reservation stored as the channel meant it and acknowledged once (OTA_NotifReportRQ,
 * successes and errors apart); an unreadable one reported as failed; a foreign namespace refused.
 */
import { HotelService } from '../../lib/booking/hotelService';
import { pullReservations } from '../../lib/channels/pull';
import { parseAckResponse } from '../../lib/ota';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { peerConnection } from '../support/channels';
import { corpusFiles, expectStoredAsExpected, mapCorpusRoomTypes } from '../support/corpus';
import { createTestDatabase, type TestDatabase } from '../support/services';

const files = corpusFiles();
let database: TestDatabase;
let db: Db;
let hotel: HotelService;
let peer: OtaPeer;

beforeAll(async () => {
	database = await createTestDatabase('pull_corpus');
	db = await getStore(database.config);
	hotel = new HotelService(db);
	await mapCorpusRoomTypes(db, hotel, 'generic', files);
	peer = await startOtaPeer({ profile: 'generic', hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' });
});
afterAll(async () => {
	await peer.stop();
	await closeAllStores();
	await database.drop();
});
beforeEach(() => resetPartnerPolicies());

it.each(files.map(({ name }) => name))('%s', async (name) => {
	const { xml, expected } = files.find((file) => file.name === name)!;
	const seen = peer.requests.length;
	peer.answerNextPullWith(xml);
	if (expected.refused) {
		await expect(pullReservations(db, hotel, peerConnection('generic', peer))).rejects.toMatchObject({ kind: expected.refused });
		return;
	}
	const taken = await pullReservations(db, hotel, peerConnection('generic', peer));
	const failed = new Set((expected.failures ?? []).map((f) => f.channelReservationId));
	expect(taken.filter((t) => !t.ack.ok).map((t) => t.ack.channelReservationId).sort()).toEqual([...failed].sort());
	await expectStoredAsExpected(hotel, 'generic', expected);
	// What the channel was told: successes in one OTA_NotifReportRQ, failures in another.
	const reports = peer.requests
		.slice(seen)
		.filter((r) => r.root === 'OTA_NotifReportRQ')
		.map((r) => parseAckResponse(r.body!));
	const confirmed = reports.filter((r) => r.ok).flatMap((r) => r.reservations.map((each) => each.channelReservationId));
	const refused = reports.filter((r) => !r.ok).flatMap((r) => r.errors.map((e) => e.recordId));
	expect(new Set(confirmed)).toEqual(new Set((expected.reservations ?? []).map((r) => r.channelReservationId).filter((id) => !failed.has(id))));
	expect(refused.sort()).toEqual([...failed].sort());
});

it("refuses a pulled message over the profile's size limit as a whole, naming the limit", async () => {
	const { xml } = files.find((file) => file.name === 'bookingcom-new-multiroom-double-family.xml')!;
	const limit = peerConnection('generic', peer).profile.limits.maxMessageBytes;
	// Well-formed, but a comment pads it past the channel's own documented limit (and below the 2 MB default).
	const padded = xml.replace('<OTA_HotelResNotifRQ', `<!--${'x'.repeat(limit)}--><OTA_HotelResNotifRQ`);
	expect(Buffer.byteLength(padded)).toBeLessThan(2 * 1024 * 1024);
	peer.answerNextPullWith(padded);
	await expect(pullReservations(db, hotel, peerConnection('generic', peer))).rejects.toMatchObject({ kind: 'too_large', message: expect.stringContaining(`limit of ${limit} bytes`) });
});
