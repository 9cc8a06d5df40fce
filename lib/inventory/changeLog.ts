/**
 * Reading what changed in inventory, restrictions and rates, for the OTA push.
 *
 * Every change writes rows to inventory_changes inside its own transaction, after taking the lock
 * of the hotel_data_version row (recordChanges bumps it first). A reader therefore takes that lock
 * too (shared) before reading: it waits for the writers in flight to commit, so every row id up
 * to the newest it sees is settled, and a plain id cursor never skips a change that took a lower
 * id and committed later. The wait is as short as the writers' transactions, and only writers of
 * this database count. The cursor is plain data the push keeps durably (per channel), so after a
 * restart it continues exactly where it stopped.
 */
import type { Db } from '../store/db';

export interface ChangeCursor {
	/** The id of the last row handled; '0' before the first read. */
	id: string;
}

export const START: ChangeCursor = { id: '0' };

export interface NightChange {
	roomType: string;
	ratePlan: string | null;
	night: string;
	kind: 'availability' | 'restrictions' | 'rate';
}

export async function readChanges(db: Db, after: ChangeCursor, limit = 10_000): Promise<{ changes: NightChange[]; cursor: ChangeCursor }> {
	return db.transaction(async (tx) => {
		await tx.query('SELECT 1 FROM hotel_data_version FOR SHARE');
		const rows = await tx.query<{ id: string; room_type_code: string; rate_plan_code: string | null; night: string; kind: NightChange['kind'] }>(
			`SELECT id::text AS id, room_type_code, rate_plan_code, night::text AS night, kind
			 FROM inventory_changes c WHERE c.id > $1::bigint ORDER BY c.id LIMIT $2`,
			[after.id, limit],
		);
		const last = rows.rows[rows.rows.length - 1];
		return {
			changes: rows.rows.map((r) => ({ roomType: r.room_type_code, ratePlan: r.rate_plan_code, night: r.night, kind: r.kind })),
			cursor: last ? { id: last.id } : after,
		};
	});
}
