/**
 * A channel connection to the local OTA peer as the channel tests use it: the peer's test
 * credentials and a fast retry policy, so a failing channel does not slow the suite down; and a
 * small hotel mapped to that peer's codes.
 */
import { HotelService } from '../../lib/booking/hotelService';
import type { ChannelConnection } from '../../lib/channels/channelClient';
import { ChannelMappings } from '../../lib/channels/mapping';
import { PROFILES, type ProfileId } from '../../lib/channels/profiles';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { day } from './days';
import { openTestStore, type TestStore } from './services';

export const PEER_HOTEL = { hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' };

export function peerConnection(profile: ProfileId, peer: OtaPeer): ChannelConnection {
	return {
		channel: profile,
		profile: PROFILES[profile],
		baseUrl: peer.url,
		...PEER_HOTEL,
		resilience: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
	};
}

export interface ChannelHotel extends TestStore {
	hotel: HotelService;
	peer: OtaPeer;
	/** Stops the peer, closes the stores and drops the database. */
	close(): Promise<void>;
}

/**
 * A hotel in a database of its own, with a local OTA peer of `profile` started for it: a double
 * (DBL, 5 rooms, 100.00 EUR) and a single (SGL, 2 rooms, 70.00 EUR) at BAR on nights 1 to 20,
 * mapped to R-DBL, RP-BAR and the single's channel code (R-SGL unless given). Nothing is pushed yet.
 */
export async function startChannelHotel(
	profile: ProfileId,
	label: string,
	single: { name?: string; channelCode?: string; maxLos?: number } = {},
): Promise<ChannelHotel> {
	const store = await openTestStore(label);
	const { db } = store;
	const hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRoomType({ code: 'SGL', name: single.name ?? 'Single' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(20), allotment: 5 });
	await hotel.setInventory({ roomType: 'SGL', from: day(1), to: day(20), allotment: 2, maxLos: single.maxLos });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(20), amount: 10000 });
	await hotel.setRates({ roomType: 'SGL', ratePlan: 'BAR', from: day(1), to: day(20), amount: 7000 });
	await new ChannelMappings(db, profile).set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
		{ kind: 'room_type', hotelCode: 'SGL', channelCode: single.channelCode ?? 'R-SGL' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-BAR' },
	]);
	const peer = await startOtaPeer({ profile, ...PEER_HOTEL });
	return { ...store, hotel, peer, close: () => peer.stop().then(store.close) };
}
