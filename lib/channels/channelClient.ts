/**
 * Sending one OTA message to a channel and reading its answer: the profile's envelope (plain XML
 * with HTTP Basic auth, or SOAP with a WS-Security UsernameToken), the one HTTP transport, the one
 * retry policy with a breaker per channel endpoint, and the channel's verdict from its RS. Every
 * exchange is written to the sync log, whatever the outcome.
 */
import type { Queryable } from '../store/db';
import { httpRequest } from '../http/transport';
import { PartnerError, callPartner, type ResilienceOptions } from '../resilience/policy';
import { buildReadRQ, parseAckResponse, parseReservations, wrapSoap } from '../ota';
import type { ParsedAck } from '../ota/types';
import type { ChannelProfile } from './profiles';

export interface ChannelConnection {
	/** The name mappings, cursors and the sync log are kept under (e.g. "booking"). */
	channel: string;
	profile: ChannelProfile;
	/** Base URL of the channel's OTA endpoint. */
	baseUrl: string;
	hotelCode: string;
	username: string;
	password: string;
	resilience?: Partial<ResilienceOptions>;
}

export interface Exchange {
	message: string;
	direction: 'push' | 'pull' | 'ack' | 'query';
	nights?: number;
	items?: number;
}

/** The channel refused a message (an Errors RS): retrying the same message will not help. */
export class ChannelRejection extends PartnerError {}

export interface ChannelAnswer {
	body: string;
	ack?: ParsedAck;
	attempts: number;
	latencyMs: number;
	bytes: number;
}

export async function sendToChannel(
	db: Queryable,
	conn: ChannelConnection,
	path: string,
	xml: string,
	exchange: Exchange,
	opts: { method?: 'GET' | 'POST'; expectAck?: boolean } = {},
): Promise<ChannelAnswer> {
	const soap = conn.profile.envelope === 'soap';
	const body = opts.method === 'GET' ? undefined : soap ? wrapSoap(xml, { username: conn.username, password: conn.password }) : xml;
	const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
	if (!soap) headers.authorization = `Basic ${Buffer.from(`${conn.username}:${conn.password}`).toString('base64')}`;
	const url = new URL(path.replace(/^\//, ''), conn.baseUrl.endsWith('/') ? conn.baseUrl : `${conn.baseUrl}/`).toString();
	const started = Date.now();
	let attempts = 0;
	const bytes = Buffer.byteLength(body ?? '');
	try {
		const res = await callPartner(
			conn.channel,
			`channel:${conn.channel}:${new URL(url).origin}`,
			async ({ attempt, signal }) => {
				attempts = attempt;
				return httpRequest(conn.channel, { method: opts.method ?? 'POST', url, headers, body, signal });
			},
			conn.resilience,
		);
		const ack = opts.expectAck === false ? undefined : parseAckResponse(res.body);
		if (ack && !ack.ok) {
			const reason = ack.errors.map((e) => e.message).join('; ') || ack.fault?.message || 'no reason given';
			throw new ChannelRejection(`${conn.channel} refused ${exchange.message}: ${reason}`, { partner: conn.channel, retryable: false });
		}
		const answer = { body: res.body, ack, attempts, latencyMs: Date.now() - started, bytes };
		await log(db, conn, exchange, 'ok', answer);
		return answer;
	} catch (error) {
		const status = error instanceof ChannelRejection ? 'rejected' : 'failed';
		await log(db, conn, exchange, status, { attempts, latencyMs: Date.now() - started, bytes }, (error as Error).message);
		throw error;
	}
}

async function log(
	db: Queryable,
	conn: ChannelConnection,
	e: Exchange,
	status: 'ok' | 'failed' | 'rejected',
	a: { attempts: number; latencyMs: number; bytes: number },
	error?: string,
) {
	await db.query(
		`INSERT INTO channel_sync_log (channel, message, direction, nights, items, status, attempts, latency_ms, bytes, error)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		[conn.channel, e.message, e.direction, e.nights ?? 0, e.items ?? 0, status, Math.max(1, a.attempts), a.latencyMs, a.bytes, error?.slice(0, 2000) ?? null],
	);
}

export interface SyncLogEntry {
	id: string;
	channel: string;
	message: string;
	direction: string;
	nights: number;
	items: number;
	status: string;
	attempts: number;
	latencyMs: number | null;
	bytes: number | null;
	error: string | null;
	/** For a reservation that could not be taken in: the channel's id for it, and its XML as it came (card data removed). */
	reservationId: string | null;
	detail: string | null;
	createdAt: string;
}

/** The newest entries first, for the node's "Get Sync Log". */
export async function readSyncLog(db: Queryable, channel: string | undefined, limit = 100): Promise<SyncLogEntry[]> {
	const rows = await db.query<Record<string, unknown>>(
		`SELECT id::text, channel, message, direction, nights, items, status, attempts, latency_ms, bytes, error, reservation_id, detail, created_at
		 FROM channel_sync_log l WHERE ($1::text IS NULL OR l.channel = $1) ORDER BY l.id DESC LIMIT $2`,
		[channel ?? null, Math.min(Math.max(limit, 1), 1000)],
	);
	return rows.rows.map((r) => ({
		id: String(r.id),
		channel: String(r.channel),
		message: String(r.message),
		direction: String(r.direction),
		nights: Number(r.nights),
		items: Number(r.items),
		status: String(r.status),
		attempts: Number(r.attempts),
		latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
		bytes: r.bytes === null ? null : Number(r.bytes),
		error: (r.error as string | null) ?? null,
		reservationId: (r.reservation_id as string | null) ?? null,
		detail: (r.detail as string | null) ?? null,
		createdAt: new Date(r.created_at as string).toISOString(),
	}));
}

/**
 * The credential test: one read of undelivered reservations (a read acknowledges nothing), no
 * retries, nothing logged. Says whether the endpoint answers, accepts the credentials and speaks OTA.
 */
export async function probeChannel(conn: ChannelConnection): Promise<{ ok: boolean; message: string }> {
	if (conn.profile.reservations === 'push') {
		// Nothing of ours to call: the channel calls us (and its ARI is not OpenTravel).
		const auth = conn.username ? 'username and password' : 'webhook secret';
		return { ok: true, message: `${conn.channel} pushes reservations to the OTA Webhook Trigger's URL; they are authenticated with this credential's ${auth}. Nothing to call from here.` };
	}
	const pullGet = conn.profile.reservations === 'pull-get';
	const path = pullGet ? conn.profile.paths.pullNew! : conn.profile.paths.read!;
	const soap = conn.profile.envelope === 'soap';
	const xml = buildReadRQ(conn.hotelCode || 'TEST');
	const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
	if (!soap) headers.authorization = `Basic ${Buffer.from(`${conn.username}:${conn.password}`).toString('base64')}`;
	try {
		const url = new URL(path.replace(/^\//, ''), conn.baseUrl.endsWith('/') ? conn.baseUrl : `${conn.baseUrl}/`).toString();
		const res = await httpRequest(conn.channel, {
			method: pullGet ? 'GET' : 'POST',
			url,
			headers,
			body: pullGet ? undefined : soap ? wrapSoap(xml, { username: conn.username, password: conn.password }) : xml,
			signal: AbortSignal.timeout(10_000),
		});
		const batch = parseReservations(res.body, { maxBytes: conn.profile.limits.maxMessageBytes });
		const pending = batch.reservations.length + batch.failures.length;
		return { ok: true, message: `Connected to ${conn.channel}: ${pending} reservation(s) waiting to be pulled` };
	} catch (error) {
		return { ok: false, message: (error as Error).message };
	}
}
