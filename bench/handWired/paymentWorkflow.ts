/**
 * The payment webhook as hotel IT would wire it by hand without this package: n8n's own nodes only.
 *
 *   Stripe Webhook (POST, Raw Body on, answer from Respond nodes)
 *     → Read Raw Body (Extract From File → Text: the body exactly as sent, as a string)
 *     → Compute Signature (Crypto: HMAC-SHA256, hex, over `<t>.<raw body>`, key = signing secret)
 *     → Signature Valid? (IF: equals the header's v1 AND |now - t| ≤ tolerance)
 *         no  → Answer 401
 *         yes → Claim Event (Postgres: INSERT INTO processed_events … ON CONFLICT DO NOTHING RETURNING)
 *                 → New Event? (IF: a row came back)
 *                     no  → Answer 200 Duplicate
 *                     yes → Mark Reservation Paid (Postgres: one upsert of reservation_billing)
 *                             → Answer 200
 *                             ↘ on error: Release Claim (DELETE the claim) → Answer 500
 *
 * It writes the rows the shipped workflow (workflows/payment-webhook.json) writes for a
 * payment_intent.succeeded and that the bench compares: processed_events (source 'stripe', the event
 * id and type, status 'done') and reservation_billing (status 'paid', currency, amount_paid). It
 * leaves out what a hand-wirer would not build: the payments table, the hotel_events feed, the
 * processing lease, failed-payment and refund events.
 */
import type { N8n } from '../../scripts/n8n';
import type { WorkflowJson } from '../../scripts/n8nApi';
import { createN8nPostgresCredential, deployHandWired, ifAllNode, js, migrateHotelDatabase, postgresQueryNode, respondNode, webhookNode, type HandWiredDatabase, type HandWiredTarget } from './shared';

export const HAND_WIRED_PAYMENT_PATH = 'hand-wired/stripe-payments';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface HandWiredPaymentOptions {
	database: HandWiredDatabase;
	/** whsec_… : the endpoint's signing secret, kept in a Crypto credential (its HMAC Secret). */
	webhookSecret: string;
	/** The Webhook node's path: the URL is /webhook/<path>. Default HAND_WIRED_PAYMENT_PATH. */
	path?: string;
	/** Default 300 s, as Stripe's libraries and our trigger. */
	toleranceSeconds?: number;
	/** Default: our migrations are run on the database first (the hand-wired workflow runs none). */
	migrate?: boolean;
	/** Credential and workflow names get this suffix, so two copies can live in one n8n. */
	nameSuffix?: string;
}

// The Stripe-Signature header, read the way Stripe's docs describe: `t=<unix seconds>,v1=<hex>[,v0=…]`.
const HEADER = "($('Stripe Webhook').first().json.headers['stripe-signature'] ?? '')";
const TIMESTAMP = `${HEADER}.match(/(?:^|,)\\s*t=(\\d+)(?:,|$)/)?.[1] ?? ''`;
const V1 = `${HEADER}.match(/(?:^|,)\\s*v1=([0-9a-fA-F]+)/)?.[1] ?? ''`;
const EVENT = "$('Stripe Webhook').first().json.body";

/** The workflow JSON, credentials referenced by id (as created by createHandWiredPayment). */
export function handWiredPaymentWorkflow(o: {
	path: string;
	toleranceSeconds?: number;
	postgresCredential: { id: string; name: string };
	cryptoCredential: { id: string; name: string };
	name?: string;
}): WorkflowJson {
	const tolerance = o.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	const node = (n: number) => `4a7d0000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
	return {
		name: o.name ?? 'Hand-wired: Stripe webhook → billing status (n8n nodes only)',
		nodes: [
			webhookNode(node(1), 'Stripe Webhook', { httpMethod: 'POST', path: o.path, responseMode: 'responseNode', options: { rawBody: true } }),
			{
				id: node(12),
				name: 'Read Raw Body',
				type: 'n8n-nodes-base.extractFromFile',
				typeVersion: 1.1,
				position: [220, 200],
				// With Raw Body on, the Webhook node puts the body in binary "data"; n8n 2.41 keeps binary
				// data out of expressions ($binary.data.data is not the content), so it is read here.
				parameters: { operation: 'text', binaryPropertyName: 'data', destinationKey: 'rawBody', options: { encoding: 'utf8', stripBOM: false, keepSource: 'json' } },
			},
			{
				id: node(2),
				name: 'Compute Signature',
				type: 'n8n-nodes-base.crypto',
				typeVersion: 2,
				position: [440, 200],
				parameters: {
					action: 'hmac',
					type: 'SHA256',
					// Stripe signs `<t>.<the body exactly as sent>`.
					value: `={{ ${TIMESTAMP} }}.{{ $json.rawBody }}`,
					dataPropertyName: 'expectedSignature',
					encoding: 'hex',
				},
				credentials: { crypto: o.cryptoCredential },
			},
			ifAllNode(node(3), 'Signature Valid?', [660, 200], [
				{
					id: 'c0a1b2c3-0000-4000-8000-000000000001',
					leftValue: '={{ $json.expectedSignature }}',
					rightValue: `={{ ${V1} }}`,
					operator: { type: 'string', operation: 'equals' },
				},
				{
					id: 'c0a1b2c3-0000-4000-8000-000000000002',
					leftValue: `={{ Math.abs($now.toSeconds() - Number((${TIMESTAMP}) || 0)) }}`,
					rightValue: tolerance,
					operator: { type: 'number', operation: 'lte' },
				},
			]),
			postgresQueryNode(node(4), 'Claim Event', [880, 100], {
				query:
					"INSERT INTO processed_events (source, event_id, event_type, status, completed_at)\nVALUES ('stripe', $1, $2, 'done', now())\nON CONFLICT (source, event_id) DO NOTHING\nRETURNING event_id",
				queryReplacement: `={{ [${EVENT}.id ?? '', ${EVENT}.type ?? ''] }}`,
				credential: o.postgresCredential,
			}),
			ifAllNode(node(5), 'New Event?', [1100, 100], [
				{
					id: 'c0a1b2c3-0000-4000-8000-000000000003',
					leftValue: '={{ $json.event_id }}',
					rightValue: '',
					operator: { type: 'string', operation: 'exists', singleValue: true },
				},
			]),
			postgresQueryNode(node(6), 'Mark Reservation Paid', [1320, 0], {
				// Only payment_intent.succeeded changes billing; other events are remembered and answered 200.
				query: [
					'INSERT INTO reservation_billing AS b (reservation_id, status, currency, amount_paid)',
					"SELECT $1, 'paid', lower($2), $3::integer",
					"WHERE $4 = 'payment_intent.succeeded' AND $1 <> ''",
					'ON CONFLICT (reservation_id) DO UPDATE',
					"SET status = 'paid', currency = EXCLUDED.currency, amount_paid = b.amount_paid + EXCLUDED.amount_paid, updated_at = now()",
				].join('\n'),
				queryReplacement: `={{ [${EVENT}.data.object.metadata?.reservation_id ?? '', ${EVENT}.data.object.currency ?? '', ${EVENT}.data.object.amount_received ?? ${EVENT}.data.object.amount ?? 0, ${EVENT}.type ?? ''] }}`,
				credential: o.postgresCredential,
				errorOutput: true,
			}),
			respondNode(node(7), 'Answer 200', 1.1, [1540, -80], 200, { respondWith: 'noData' }),
			postgresQueryNode(node(8), 'Release Claim', [1540, 80], {
				// The billing update failed: forget the event so Stripe's redelivery is processed again.
				query: "DELETE FROM processed_events WHERE source = 'stripe' AND event_id = $1",
				queryReplacement: `={{ [${EVENT}.id ?? ''] }}`,
				credential: o.postgresCredential,
			}),
			respondNode(node(9), 'Answer 500', 1.1, [1760, 80], 500, {
				respondWith: 'json',
				responseBody: `={{ { error: 'The billing update failed; the event will be processed again when Stripe redelivers it.', event: ${EVENT}.id } }}`,
			}),
			respondNode(node(10), 'Answer 200 Duplicate', 1.1, [1320, 200], 200, { respondWith: 'json', responseBody: '{ "received": true, "duplicate": true }' }),
			respondNode(node(11), 'Answer 401', 1.1, [880, 320], 401, {
				respondWith: 'json',
				responseBody: `={{ { error: ${js(`Stripe-Signature does not match the body and the signing secret, or its timestamp is more than ${tolerance} s away.`)} } }}`,
			}),
		],
		connections: {
			'Stripe Webhook': { main: [[{ node: 'Read Raw Body', type: 'main', index: 0 }]] },
			'Read Raw Body': { main: [[{ node: 'Compute Signature', type: 'main', index: 0 }]] },
			'Compute Signature': { main: [[{ node: 'Signature Valid?', type: 'main', index: 0 }]] },
			'Signature Valid?': {
				main: [[{ node: 'Claim Event', type: 'main', index: 0 }], [{ node: 'Answer 401', type: 'main', index: 0 }]],
			},
			'Claim Event': { main: [[{ node: 'New Event?', type: 'main', index: 0 }]] },
			'New Event?': {
				main: [[{ node: 'Mark Reservation Paid', type: 'main', index: 0 }], [{ node: 'Answer 200 Duplicate', type: 'main', index: 0 }]],
			},
			'Mark Reservation Paid': {
				main: [[{ node: 'Answer 200', type: 'main', index: 0 }], [{ node: 'Release Claim', type: 'main', index: 0 }]],
			},
			'Release Claim': { main: [[{ node: 'Answer 500', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Creates the two credentials (n8n's `postgres` and `crypto`) and the workflow through n8n's public
 * API, activates it and waits until its webhook answers. Runs our migrations on the database first
 * unless told not to.
 */
export async function createHandWiredPayment(n8n: N8n, o: HandWiredPaymentOptions): Promise<HandWiredTarget> {
	const path = o.path ?? HAND_WIRED_PAYMENT_PATH;
	const suffix = o.nameSuffix ?? '';
	if (o.migrate !== false) await migrateHotelDatabase(o.database);
	const postgresName = `Hotel database (n8n Postgres)${suffix}`;
	const cryptoName = `Stripe signing secret (n8n Crypto)${suffix}`;
	const postgresId = await createN8nPostgresCredential(n8n, postgresName, o.database);
	const cryptoId = (await n8n.api.createCredential({ name: cryptoName, type: 'crypto', data: { hmacSecret: o.webhookSecret } })).id;
	const workflow = handWiredPaymentWorkflow({
		path,
		toleranceSeconds: o.toleranceSeconds,
		postgresCredential: { id: postgresId, name: postgresName },
		cryptoCredential: { id: cryptoId, name: cryptoName },
		name: suffix ? `Hand-wired: Stripe webhook → billing status${suffix}` : undefined,
	});
	return deployHandWired(n8n, workflow, path, 'POST', { [postgresName]: postgresId, [cryptoName]: cryptoId });
}
