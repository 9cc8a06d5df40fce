/**
 * What the reservation tests on the real PostgreSQL share: a database of the file's own, opened
 * with a pool of 20 connections (they book concurrently), the catalogue and the reservation book
 * on it; and the stay they book unless a test says otherwise.
 */
import { HotelCatalog } from '../../lib/inventory/catalog';
import { ReservationBook, type StayInput } from '../../lib/inventory/reservations';
import { day } from './days';
import { openTestStore, type TestStore } from './services';

export interface ReservationStore extends TestStore {
	catalog: HotelCatalog;
	book: ReservationBook;
}

export async function openReservationStore(label: string): Promise<ReservationStore> {
	const store = await openTestStore(label, { maxConnections: 20 });
	return { ...store, catalog: new HotelCatalog(store.db), book: new ReservationBook(store.db) };
}

/** Stays of `guest`: two adults in a double (DBL) at BAR, nights 10 to 12, unless `over` says otherwise. */
export function doubleRoomStays(guest: StayInput['guest']): (over?: Partial<StayInput>) => StayInput {
	return (over = {}) => ({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(10), departure: day(12), adults: 2, guest, ...over });
}
