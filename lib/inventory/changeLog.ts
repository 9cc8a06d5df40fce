/**
 * Reading what changed in inventory, restrictions and rates, for the OTA push.
 *
 * Every change writes rows to inventory_changes inside its own transaction. A reader keeps a
 * cursor — the (transaction id, row id) of the last row it handled — durably (the push stores it
 * per channel), so after a restart it continues exactly where it stopped. It only reads rows of
 * transactions older than every transaction still running: a slow transaction that commits later
 * always sorts after the cursor, so no change is ever skipped, whatever order ids were handed out.
 */
import type { Queryable } from '../store/db';

export interface ChangeCursor {
	/** Transaction id (xid8) as text; '0' before the first read. */
	txid: string;
	id: string;
}

export const START: ChangeCursor = { txid: '0', id: '0' };

export interface NightChange {
	roomType: string;
	ratePlan: string | null;
	night: string;
	kind: 'availability' | 'restrictions' | 'rate';
}

export async function readChanges(db: Queryable, after: ChangeCursor, limit = 10_000): Promise<{ changes: NightChange[]; cursor: ChangeCursor }> {
	const rows = await db.query<{ txid: string; id: string; room_type_code: string; rate_plan_code: string | null; night: string; kind: NightChange['kind'] }>(
		`SELECT txid::text AS txid, id::text AS id, room_type_code, rate_plan_code, night::text AS night, kind
		 FROM inventory_changes
		 WHERE (txid, id) > ($1::text::xid8, $2::bigint)
		   AND txid < pg_snapshot_xmin(pg_current_snapshot())
		 ORDER BY txid, id
		 LIMIT $3`,
		[after.txid, after.id, limit],
	);
	const last = rows.rows[rows.rows.length - 1];
	return {
		changes: rows.rows.map((r) => ({ roomType: r.room_type_code, ratePlan: r.rate_plan_code, night: r.night, kind: r.kind })),
		cursor: last ? { txid: last.txid, id: last.id } : after,
	};
}
