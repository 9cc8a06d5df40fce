/**
 * The corpus of reservation messages in the channels' published shapes (test/fixtures/ota/corpus),
 * for the tests that take it in through the hotel's real intake: the pull (integration) and the
 * OTA Webhook Trigger in n8n (e2e). Each channel room code is one of the hotel's room types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HotelService } from '../../lib/booking/hotelService';
import { ChannelMappings } from '../../lib/channels/mapping';
import type { ChannelReservation } from '../../lib/ota';
import type { Db } from '../../lib/store/db';
import { day } from './days';

export const CORPUS_DIR = path.join(__dirname, '../fixtures/ota/corpus');

export interface CorpusExpectation {
	root?: string;
	refused?: string;
	reservations?: ChannelReservation[];
	failures?: Array<{ position: number; channelReservationId?: string; reasonIncludes: string }>;
}

export interface CorpusFile {
	name: string;
	xml: string;
	expected: CorpusExpectation;
}

/**
 * The files in the order a channel would send them: bookings, then modifications, then
 * cancellations (some files carry later states of another file's reservation), then by name.
 */
export function corpusFiles(): CorpusFile[] {
	const stage = (file: CorpusFile) => (file.expected.refused ? 3 : ({ book: 0, modify: 1, cancel: 2 } as const)[file.expected.reservations?.[0]?.action ?? 'book']);
	return readdirSync(CORPUS_DIR)
		.filter((name) => name.endsWith('.xml'))
		.map((name) => ({
			name,
			xml: readFileSync(path.join(CORPUS_DIR, name), 'utf8'),
			expected: JSON.parse(readFileSync(path.join(CORPUS_DIR, name.replace(/\.xml$/, '.expected.json')), 'utf8')) as CorpusExpectation,
		}))
		.sort((a, b) => stage(a) - stage(b) || a.name.localeCompare(b.name));
}

/** The hotel's room type for a channel room code: R-DBL is DBL (the peers' codes), any other code its own room type. */
export const hotelRoomType = (code: string) => (code.startsWith('R-') ? code.slice(2) : `H-${code}`);

/** A room type and a mapping for every channel room code in these files (a channel maps one code to each of ours). */
export async function mapCorpusRoomTypes(db: Db, hotel: HotelService, channel: string, files: CorpusFile[]): Promise<void> {
	const codes = new Set(
		files.flatMap(({ expected }) => (expected.reservations ?? []).flatMap((r) => r.roomStays.map((room) => room.roomType)).filter((code): code is string => !!code && !code.startsWith('R-'))),
	);
	for (const code of codes) {
		await hotel.catalog.upsertRoomType({ code: hotelRoomType(code), name: `Corpus ${code}` });
		await hotel.setInventory({ roomType: hotelRoomType(code), from: day(1), to: day(5), allotment: 3 });
	}
	await new ChannelMappings(db, channel).set([...codes].map((code) => ({ kind: 'room_type' as const, hotelCode: hotelRoomType(code), channelCode: code })));
}

/** What the store must hold after a file was taken in: each readable reservation with its rooms, dates, guests, amount and notes. */
export async function expectStoredAsExpected(hotel: HotelService, channel: string, expected: CorpusExpectation): Promise<void> {
	const stored = await hotel.book.list({ channel, limit: 1000 });
	for (const r of expected.reservations ?? []) {
		const row = stored.find((each) => each.channelReservationId === r.channelReservationId);
		const activeRooms = r.roomStays.filter((room) => room.status === 'active');
		if (r.action === 'cancel' || (r.roomStays.length > 0 && activeRooms.length === 0)) {
			expect(row?.status).toBe('cancelled');
			continue;
		}
		expect(row).toMatchObject({ status: expect.stringMatching(/booked|modified/), arrival: r.arrival, departure: r.departure, rooms: activeRooms.reduce((sum, room) => sum + room.units, 0) });
		expect(row!.roomStays.map((room) => [room.roomType, room.arrival, room.departure, room.units, room.adults, room.children, room.childAges, room.status])).toEqual(
			r.roomStays.map((room) => [hotelRoomType(room.roomType!), room.arrival, room.departure, room.units, room.adults, room.children, room.childAges, room.status]),
		);
		if (r.guest.name) expect(row!.guest.name).toBe(r.guest.name);
		if (r.amount !== undefined) expect(row!.amount).toBe(r.amount);
		expect(row!.currency).toBe(r.currency?.toLowerCase() ?? null);
		expect(row!.comments).toEqual(r.comments);
		expect(row!.specialRequests).toEqual(r.specialRequests);
		expect(row!.paymentModel).toBe(r.paymentModel ?? null);
		expect(row!.commission).toBe(r.commission ?? null);
	}
	expect(await hotel.book.soldDrift()).toEqual([]);
}
