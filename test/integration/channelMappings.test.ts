import { ChannelMappings } from '../../lib/channels/mapping';
import { HotelError } from '../../lib/errors';
import { closeAllStores, getStore } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';

let database: TestDatabase;
beforeAll(async () => {
	database = await createTestDatabase('mapping');
});
afterAll(async () => {
	await closeAllStores();
	await database.drop();
});

it('maps codes both ways per channel, and names an unmapped code in its error', async () => {
	const db = await getStore(database.config);
	const booking = new ChannelMappings(db, 'booking');
	await booking.set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: '1234501' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-77' },
	]);
	expect(await booking.toChannel('room_type', 'DBL')).toBe('1234501');
	expect(await booking.fromChannel('rate_plan', 'RP-77')).toBe('BAR');
	expect(await new ChannelMappings(db, 'expedia').isMapped('room_type', 'DBL')).toBe(false);
	const e = await booking.fromChannel('room_type', '999').catch((x) => x);
	expect(e).toBeInstanceOf(HotelError);
	expect(e.message).toContain('"999"');
	// Editing a mapping takes effect at once.
	await booking.set([{ kind: 'room_type', hotelCode: 'DBL', channelCode: '1234599' }]);
	expect(await booking.toChannel('room_type', 'DBL')).toBe('1234599');
	await booking.remove('room_type', 'DBL');
	await expect(booking.toChannel('room_type', 'DBL')).rejects.toThrow(/No booking code is mapped for room type "DBL"/);
});
