/** What the OTA Channel node does, operation by operation: each a call into lib/channels. */
import type { IDataObject } from 'n8n-workflow';
import { HotelService } from '../../lib/booking/hotelService';
import { AUDIT_NIGHTS, auditChannel, requireRepaired } from '../../lib/channels/audit';
import { queryChannelAvailability } from '../../lib/channels/availabilityQuery';
import { readSyncLog, type ChannelConnection } from '../../lib/channels/channelClient';
import { ChannelMappings, type MappingKind } from '../../lib/channels/mapping';
import { pullReservations } from '../../lib/channels/pull';
import { pushChanges, requirePushed } from '../../lib/channels/push';
import { today } from '../../lib/inventory/dates';
import type { Db } from '../../lib/store/db';
import { num, param, str, type ItemContext } from '../shared/parameters';

export interface ChannelContext extends ItemContext {
	db: Db;
	conn: ChannelConnection;
}

type Action = (ctx: ChannelContext) => Promise<IDataObject>;

const out = (value: unknown) => value as IDataObject;
const list = (value: unknown) => value as IDataObject[];

export const actions: Record<string, Action> = {
	// A failed push fails the execution (red in the n8n UI, error workflows run); nothing is lost.
	'ari.push': async ({ db, conn }) => out(requirePushed(await pushChanges(db, conn))),
	async 'ari.query'(ctx) {
		const { db, conn } = ctx;
		const arrival = str(ctx, 'arrival');
		const departure = str(ctx, 'departure');
		const adults = num(ctx, 'adults', 2);
		// An empty field means every room type, not a room type called "".
		const roomType = str(ctx, 'roomType') || undefined;
		const offers = await queryChannelAvailability(db, conn, { arrival, departure, adults, roomType });
		return { channel: conn.channel, arrival, departure, offers: list(offers) };
	},
	// A repair that fails fails the execution; drift alone is a finding, reported in the item.
	async 'ari.audit'(ctx) {
		const from = str(ctx, 'from') || today();
		const report = await auditChannel(ctx.db, ctx.conn, { from, nights: num(ctx, 'nights', AUDIT_NIGHTS.default), repair: param(ctx, 'repair', false) === true });
		return out(requireRepaired(report));
	},
	async 'reservation.pull'({ db, conn }) {
		const taken = await pullReservations(db, new HotelService(db), conn);
		return { pulled: taken.length, results: list(taken) };
	},
	async 'mapping.set'(ctx) {
		const m = { kind: str(ctx, 'kind') as MappingKind, hotelCode: str(ctx, 'hotelCode'), channelCode: str(ctx, 'channelCode') };
		await new ChannelMappings(ctx.db, ctx.conn.channel).set([m]);
		return { channel: ctx.conn.channel, ...m };
	},
	async 'mapping.delete'(ctx) {
		const kind = str(ctx, 'kind') as MappingKind;
		const hotelCode = str(ctx, 'hotelCode');
		await new ChannelMappings(ctx.db, ctx.conn.channel).remove(kind, hotelCode);
		return { channel: ctx.conn.channel, kind, hotelCode, deleted: true };
	},
	'mapping.list': async ({ db, conn }) => ({ channel: conn.channel, mappings: list(await new ChannelMappings(db, conn.channel).list()) }),
	'syncLog.list': async (ctx) => ({ channel: ctx.conn.channel, entries: list(await readSyncLog(ctx.db, ctx.conn.channel, num(ctx, 'limit', 50))) }),
};
