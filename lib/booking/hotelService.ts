/**
 * The one entry point nodes use for the hotel's inventory and reservations: the store, plus —
 * when a Redis is given — the availability cache and the real-time broadcast of reservation
 * changes (a Redis channel per hotel, for front-desk screens). Without Redis everything works,
 * uncached and without broadcast. The cache needs no invalidation: the store versions its data.
 */
import type Redis from 'ioredis';
import type { Db } from '../store/db';
import { dataVersion, HotelCatalog, type AvailabilityQuery, type InventoryUpdate, type Offer, type RateUpdate } from '../inventory/catalog';
import { ReservationBook, type ChannelChange, type Reservation, type ReservationChange, type StayInput } from '../inventory/reservations';
import { AvailabilityCache } from './availabilityCache';
import { eraseExpiredGuestData, eraseGuestData, type ErasureReport, type RetentionReport } from '../privacy/guestData';

export interface HotelServiceOptions {
	redis?: Redis;
	keyPrefix?: string;
	hotel?: string;
	cacheTtlSeconds?: number;
	today?: () => string;
	/** Told when the cache or the broadcast failed (the change itself is committed). */
	onSideEffectError?: (what: string, error: unknown) => void;
}

export function broadcastChannel(keyPrefix = 'hotel:', hotel = 'main'): string {
	return `${keyPrefix}reservations:${hotel}`;
}

export class HotelService {
	readonly catalog: HotelCatalog;
	readonly book: ReservationBook;
	private readonly cache?: AvailabilityCache;

	constructor(
		private readonly db: Db,
		private readonly opts: HotelServiceOptions = {},
	) {
		this.catalog = new HotelCatalog(db);
		this.book = new ReservationBook(db, { today: opts.today });
		if (opts.redis) {
			this.cache = new AvailabilityCache(opts.redis, () => dataVersion(db), { keyPrefix: opts.keyPrefix, hotel: opts.hotel, ttlSeconds: opts.cacheTtlSeconds });
			this.book.onChange((change) => this.broadcast(change));
		}
	}

	/** Guest data of stays departed more than `daysAfterDeparture` days ago, erased (lib/privacy/guestData.ts). */
	eraseExpiredGuestData(opts: { daysAfterDeparture: number; limit?: number }): Promise<RetentionReport> {
		return eraseExpiredGuestData(this.db, { ...opts, today: this.opts.today?.() });
	}

	/** One guest's data, erased on request: a reservation, or every reservation and e-mail of an address. */
	eraseGuestData(request: { reservationId?: string; email?: string }): Promise<ErasureReport> {
		return eraseGuestData(this.db, request);
	}

	async availability(q: AvailabilityQuery): Promise<{ offers: Offer[]; cache: 'hit' | 'miss' | 'unavailable' | 'off' }> {
		const query = { ...q, today: q.today ?? this.opts.today?.() };
		if (!this.cache) return { offers: await this.catalog.availability(query), cache: 'off' };
		const { value, cache } = await this.cache.get(query, () => this.catalog.availability(query));
		return { offers: value, cache };
	}

	setInventory(update: InventoryUpdate) {
		return this.catalog.setInventory(update);
	}

	setRates(update: RateUpdate) {
		return this.catalog.setRates(update);
	}

	create(input: StayInput, channel?: string): Promise<Reservation> {
		return this.book.create(input, { channel });
	}

	update(id: string, changes: Partial<StayInput>): Promise<Reservation> {
		return this.book.update(id, changes);
	}

	cancel(id: string): Promise<Reservation> {
		return this.book.cancel(id);
	}

	applyChannelChange(change: ChannelChange) {
		return this.book.applyChannelChange(change);
	}

	private async broadcast(change: ReservationChange) {
		try {
			await this.opts.redis!.publish(
				broadcastChannel(this.opts.keyPrefix, this.opts.hotel),
				JSON.stringify({ event: `reservation.${change.action}`, reservation: change.reservation, at: new Date().toISOString() }),
			);
		} catch (error) {
			// The change is committed; only the front-desk screens miss this one message.
			this.opts.onSideEffectError?.('broadcast', error);
		}
	}
}
