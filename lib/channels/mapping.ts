/**
 * Room type and rate plan codes per channel ("DBL" here may be "1234501" at Booking.com). Users
 * edit the table through the OTA Channel node; every message in or out goes through it, and a
 * code without a mapping is an error that names it — never a guess.
 */
import type { Queryable } from '../store/db';
import { HotelError } from '../errors';

export type MappingKind = 'room_type' | 'rate_plan';

export interface Mapping {
	kind: MappingKind;
	hotelCode: string;
	channelCode: string;
}

const label = (kind: MappingKind) => (kind === 'room_type' ? 'room type' : 'rate plan');

export class ChannelMappings {
	private cache?: Mapping[];

	constructor(
		private readonly db: Queryable,
		readonly channel: string,
	) {}

	async set(mappings: Mapping[]): Promise<void> {
		for (const m of mappings) {
			if (!m.hotelCode?.trim() || !m.channelCode?.trim()) throw new HotelError('invalid', 'A mapping needs both the hotel code and the channel code.', 'mapping');
			await this.db.query(
				`INSERT INTO channel_mappings (channel, kind, hotel_code, channel_code) VALUES ($1, $2, $3, $4)
				 ON CONFLICT (channel, kind, hotel_code) DO UPDATE SET channel_code = EXCLUDED.channel_code`,
				[this.channel, m.kind, m.hotelCode.trim(), m.channelCode.trim()],
			);
		}
		this.cache = undefined;
	}

	async remove(kind: MappingKind, hotelCode: string): Promise<void> {
		await this.db.query('DELETE FROM channel_mappings WHERE channel = $1 AND kind = $2 AND hotel_code = $3', [this.channel, kind, hotelCode]);
		this.cache = undefined;
	}

	async list(): Promise<Mapping[]> {
		this.cache ??= (
			await this.db.query<{ kind: MappingKind; hotel_code: string; channel_code: string }>(
				'SELECT kind, hotel_code, channel_code FROM channel_mappings WHERE channel = $1 ORDER BY kind, hotel_code',
				[this.channel],
			)
		).rows.map((r) => ({ kind: r.kind, hotelCode: r.hotel_code, channelCode: r.channel_code }));
		return this.cache;
	}

	/** The channel's code for one of ours. */
	async toChannel(kind: MappingKind, hotelCode: string): Promise<string> {
		const hit = (await this.list()).find((m) => m.kind === kind && m.hotelCode === hotelCode);
		if (!hit) throw new HotelError('invalid', `No ${this.channel} code is mapped for ${label(kind)} "${hotelCode}". Add it in the OTA Channel node (Mapping → Set).`, kind);
		return hit.channelCode;
	}

	/** Our code for one of the channel's. */
	async fromChannel(kind: MappingKind, channelCode: string): Promise<string> {
		const hit = (await this.list()).find((m) => m.kind === kind && m.channelCode === channelCode);
		if (!hit) throw new HotelError('invalid', `${this.channel} sent ${label(kind)} "${channelCode}", which is not mapped to any of the hotel's. Add it in the OTA Channel node (Mapping → Set).`, kind);
		return hit.hotelCode;
	}

	/** Whether this hotel code is sold on the channel (unmapped room types are simply not pushed). */
	async isMapped(kind: MappingKind, hotelCode: string): Promise<boolean> {
		return (await this.list()).some((m) => m.kind === kind && m.hotelCode === hotelCode);
	}
}
