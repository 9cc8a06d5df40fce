/**
 * Asking a channel what it sells, against the local OTA peer, for each profile: after a push the
 * channel offers what the store holds, in the hotel's codes; a stopped night takes the room type
 * out of the answer; a code the hotel has no mapping for stays visible, marked unmapped.
 */
import type { HotelService } from '../../lib/booking/hotelService';
import { queryChannelAvailability } from '../../lib/channels/availabilityQuery';
import { PROFILES, type ProfileId } from '../../lib/channels/profiles';
import { pushChanges } from '../../lib/channels/push';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import type { Db } from '../../lib/store/db';
import type { OtaPeer } from '../peers/otaPeer';
import { peerConnection, startChannelHotel } from '../support/channels';
import { day } from '../support/days';

describe.each(['booking', 'siteminder', 'generic'] as ProfileId[])('availability query, channel profile %s', (profile) => {
	let db: Db;
	let peer: OtaPeer;
	let hotel: HotelService;
	let close: () => Promise<void>;
	const conn = () => peerConnection(profile, peer);

	beforeAll(async () => {
		({ db, hotel, peer, close } = await startChannelHotel(profile, `availq_${profile}`));
		await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(3), to: day(3), amount: 12550 });
		expect((await pushChanges(db, conn())).status).toBe('pushed');
	});
	afterAll(() => close());
	beforeEach(() => resetPartnerPolicies());

	it('answers with what was pushed, in the hotel codes', async () => {
		const offers = await queryChannelAvailability(db, conn(), { arrival: day(2), departure: day(5) });
		expect(offers).toEqual([
			{ roomType: 'DBL', ratePlan: 'BAR', available: 5, totalAmount: 32550, currency: 'EUR', mapped: true },
			{ roomType: 'SGL', ratePlan: 'BAR', available: 2, totalAmount: 21000, currency: 'EUR', mapped: true },
		]);
		const query = peer.requests.find((r) => r.root === 'OTA_HotelAvailRQ');
		expect(query).toMatchObject({ path: PROFILES[profile].paths.availQuery, valid: true, status: 200 });
	});

	it('asks for one room type in the channel code when given one', async () => {
		const offers = await queryChannelAvailability(db, conn(), { arrival: day(2), departure: day(3), adults: 1, roomType: 'SGL' });
		expect(offers).toEqual([{ roomType: 'SGL', ratePlan: 'BAR', available: 2, totalAmount: 7000, currency: 'EUR', mapped: true }]);
		await expect(queryChannelAvailability(db, conn(), { arrival: day(2), departure: day(3), roomType: 'SUITE' })).rejects.toThrow(/No .* code is mapped for room type "SUITE"/);
	});

	it('leaves out a room type with a stopped night, and offers the tightest night', async () => {
		await hotel.setInventory({ roomType: 'DBL', from: day(8), to: day(8), stopSell: true });
		await hotel.setInventory({ roomType: 'SGL', from: day(9), to: day(9), allotment: 1 });
		expect((await pushChanges(db, conn())).status).toBe('pushed');
		const offers = await queryChannelAvailability(db, conn(), { arrival: day(7), departure: day(10) });
		expect(offers).toEqual([{ roomType: 'SGL', ratePlan: 'BAR', available: 1, totalAmount: 21000, currency: 'EUR', mapped: true }]);
		// The stop-sell covers only that night: a stay after it is offered again.
		expect((await queryChannelAvailability(db, conn(), { arrival: day(9), departure: day(10) })).map((o) => o.roomType)).toEqual(['DBL', 'SGL']);
	});

	it('keeps codes the hotel has not mapped, marked as such', async () => {
		// A push never sends an unmapped code, so the channel learns of this room type some other way.
		peer.view.availability.set(`R-NEW|${day(12)}`, { bookingLimit: 3 });
		peer.view.rates.set(`R-NEW|RP-BAR|${day(12)}`, { amount: 9900, currency: 'EUR' });
		const offers = await queryChannelAvailability(db, conn(), { arrival: day(12), departure: day(13) });
		expect(offers.find((o) => o.roomType === 'R-NEW')).toEqual({ roomType: 'R-NEW', ratePlan: 'BAR', available: 3, totalAmount: 9900, currency: 'EUR', mapped: false });
		expect(offers.filter((o) => o.mapped).map((o) => o.roomType)).toEqual(['DBL', 'SGL']);
	});

	it('reports a query the channel refuses', async () => {
		const wrongHotel = { ...conn(), hotelCode: 'OTHER' };
		await expect(queryChannelAvailability(db, wrongHotel, { arrival: day(2), departure: day(3) })).rejects.toThrow(/refused OTA_HotelAvailRQ: unknown hotel "OTHER"/);
	});
});
