/**
 * GET /availability as hotel IT would wire it by hand without this package: n8n's own nodes only.
 *
 *   Availability Request (Webhook GET, Authentication: JWT Auth, answer from Respond nodes)
 *     → Token Allowed? (IF: issuer, audience, required scope, an expiry)
 *         no  → Answer 403
 *         yes → Query Availability (Postgres: one SQL statement that returns the whole answer)
 *                 → Answer 200 (the row, as ours answers: { arrival, departure, offers, cache })
 *                 ↘ on error (e.g. a date that is no date): Answer 422
 *
 * Authentication: n8n's Webhook node (2.41) has "JWT Auth" (credential type jwtAuth: passphrase or
 * PEM key, one algorithm). It checks the signature, the algorithm and exp/nbf when present, and
 * answers 401 without a token and 403 for a bad one. It does not check issuer, audience or scope,
 * which our Booking Engine Trigger does, so the IF after it does; a token must also carry exp (ours
 * refuses tokens that never expire). That keeps the work per request comparable.
 *
 * The SQL applies the rules of lib/inventory/catalog.ts `availability()` and lib/inventory/rules.ts
 * `whyNotBookable()` / `roomsLeft()`: room types that fit the guests; every night of the stay loaded,
 * not stop-sold and with at least `rooms` left; arrival not closed and its min/max stay met;
 * departure not closed; priced by every rate plan with a rate on every night. The answer has the
 * same fields as ours; `cache` is always "off" (no cache here).
 */
import type { N8n } from '../../scripts/n8n';
import type { WorkflowJson } from '../../scripts/n8nApi';
import { createN8nPostgresCredential, deployHandWired, ifAllNode, js, migrateHotelDatabase, postgresQueryNode, respondNode, webhookNode, type HandWiredDatabase, type HandWiredTarget } from './shared';

export const HAND_WIRED_AVAILABILITY_PATH = 'hand-wired/availability';

export interface HandWiredJwt {
	/** The shared secret (HS*) or, with a PEM public key, the key instead. */
	secret?: string;
	publicKeyPem?: string;
	/** Default HS256. */
	algorithm?: string;
	/** Checked when set (as ours: an empty string counts as not set). */
	issuer?: string;
	audience?: string;
	/** Default "reservations". */
	requiredScope?: string;
}

export interface HandWiredAvailabilityOptions {
	database: HandWiredDatabase;
	jwt: HandWiredJwt;
	/** The Webhook node's path: the URL is /webhook/<path>. Default HAND_WIRED_AVAILABILITY_PATH. */
	path?: string;
	/** Default: our migrations are run on the database first (idempotent; the workflow runs none). */
	migrate?: boolean;
	/** Credential and workflow names get this suffix, so two copies can live in one n8n. */
	nameSuffix?: string;
}

/**
 * $1 arrival, $2 departure, $3 room type ('' = all), $4 adults, $5 children, $6 rooms. One row:
 * { arrival, departure, offers, cache }. Offers are ordered as ours: room type code, then rate plan code.
 */
export const AVAILABILITY_SQL = `WITH stay AS (
  SELECT $1::date AS arrival, $2::date AS departure, $2::date - $1::date AS nights,
         NULLIF($3, '') AS room_type, $4::int + $5::int AS guests, $6::int AS rooms
),
fitting AS (
  SELECT rt.code, rt.name, s.* FROM room_types rt CROSS JOIN stay s
  WHERE (s.room_type IS NULL OR rt.code = s.room_type) AND s.guests <= rt.max_occupancy * s.rooms
),
bookable AS (
  SELECT f.code, f.name, f.arrival, f.departure, f.nights, f.rooms, MIN(n.allotment - n.sold) AS available
  FROM fitting f
  JOIN inventory_nights n ON n.room_type_code = f.code AND n.night >= f.arrival AND n.night < f.departure
  GROUP BY f.code, f.name, f.arrival, f.departure, f.nights, f.rooms
  HAVING COUNT(*) = f.nights
     AND NOT bool_or(n.stop_sell)
     AND MIN(n.allotment - n.sold) >= f.rooms
     AND NOT bool_or(n.night = f.arrival AND (n.closed_to_arrival OR f.nights < COALESCE(n.min_los, 1) OR f.nights > COALESCE(n.max_los, f.nights)))
     AND NOT EXISTS (SELECT 1 FROM inventory_nights d WHERE d.room_type_code = f.code AND d.night = f.departure AND d.closed_to_departure)
),
priced AS (
  SELECT b.code, b.name, b.available, b.nights, b.rooms, p.code AS plan, p.name AS plan_name, p.currency,
         json_agg(json_build_object('night', r.night::text, 'amount', r.amount) ORDER BY r.night) AS nightly,
         SUM(r.amount) AS per_room
  FROM bookable b
  JOIN rates r ON r.room_type_code = b.code AND r.night >= b.arrival AND r.night < b.departure
  JOIN rate_plans p ON p.code = r.rate_plan_code
  GROUP BY b.code, b.name, b.available, b.nights, b.rooms, p.code, p.name, p.currency
  HAVING COUNT(*) = b.nights
)
SELECT $1 AS arrival, $2 AS departure,
  COALESCE((SELECT json_agg(json_build_object(
      'roomType', code, 'roomTypeName', name, 'ratePlan', plan, 'ratePlanName', plan_name, 'currency', currency,
      'nightly', nightly, 'available', available, 'nights', nights, 'totalAmount', per_room * rooms)
    ORDER BY code, plan) FROM priced), '[]'::json) AS offers,
  'off' AS cache`;

const ALLOWED = '4b8e0000-0000-4000-8000-0000000001';

/** The workflow JSON, credentials referenced by id (as created by createHandWiredAvailability). */
export function handWiredAvailabilityWorkflow(o: {
	path: string;
	jwt: HandWiredJwt;
	postgresCredential: { id: string; name: string };
	jwtCredential: { id: string; name: string };
	name?: string;
}): WorkflowJson {
	const node = (n: number) => `4b8e0000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
	const claims = '$json.jwtPayload';
	const checks: string[] = [`typeof ${claims}.exp === 'number'`];
	if (o.jwt.issuer) checks.push(`${claims}.iss === ${js(o.jwt.issuer)}`);
	if (o.jwt.audience) checks.push(`[].concat(${claims}.aud ?? []).includes(${js(o.jwt.audience)})`);
	checks.push(`String(${claims}.scope ?? '').split(' ').includes(${js(o.jwt.requiredScope || 'reservations')})`);
	const conditions = checks.map((check, i) => ({
		id: `${ALLOWED}${i}`,
		leftValue: `={{ ${check} }}`,
		rightValue: '',
		operator: { type: 'boolean', operation: 'true', singleValue: true },
	}));
	const q = '$json.query';
	return {
		name: o.name ?? 'Hand-wired: booking engine availability (n8n nodes only)',
		nodes: [
			webhookNode(node(1), 'Availability Request', { httpMethod: 'GET', path: o.path, authentication: 'jwtAuth', responseMode: 'responseNode', options: {} }, { jwtAuth: o.jwtCredential }),
			ifAllNode(node(2), 'Token Allowed?', [220, 200], conditions),
			postgresQueryNode(node(3), 'Query Availability', [440, 100], {
				query: AVAILABILITY_SQL,
				queryReplacement: `={{ [${q}.arrival ?? '', ${q}.departure ?? '', ${q}.roomType ?? '', ${q}.adults || 1, ${q}.children || 0, ${q}.rooms || 1] }}`,
				credential: o.postgresCredential,
				errorOutput: true,
			}),
			respondNode(node(4), 'Answer 200', 1, [660, 0], 200, { respondWith: 'firstIncomingItem' }),
			respondNode(node(5), 'Answer 422', 1, [660, 180], 422, { respondWith: 'json', responseBody: "={{ { error: 'Invalid availability query: ' + $json.message } }}" }),
			respondNode(node(6), 'Answer 403', 1, [440, 320], 403, {
				respondWith: 'json',
				responseBody: '{ "error": "The token is not for this API (issuer, audience, scope or expiry)." }',
			}),
		],
		connections: {
			'Availability Request': { main: [[{ node: 'Token Allowed?', type: 'main', index: 0 }]] },
			'Token Allowed?': { main: [[{ node: 'Query Availability', type: 'main', index: 0 }], [{ node: 'Answer 403', type: 'main', index: 0 }]] },
			'Query Availability': { main: [[{ node: 'Answer 200', type: 'main', index: 0 }], [{ node: 'Answer 422', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Creates the two credentials (n8n's `postgres` and `jwtAuth`) and the workflow through n8n's public
 * API, activates it and waits until its webhook answers. Runs our migrations first unless told not
 * to; the catalogue itself (room types, inventory, rates) is the caller's.
 */
export async function createHandWiredAvailability(n8n: N8n, o: HandWiredAvailabilityOptions): Promise<HandWiredTarget> {
	const path = o.path ?? HAND_WIRED_AVAILABILITY_PATH;
	const suffix = o.nameSuffix ?? '';
	if (o.migrate !== false) await migrateHotelDatabase(o.database);
	const postgresName = `Hotel database for availability (n8n Postgres)${suffix}`;
	const jwtName = `Booking engine tokens (n8n JWT Auth)${suffix}`;
	const postgresId = await createN8nPostgresCredential(n8n, postgresName, o.database);
	const jwtData = o.jwt.publicKeyPem
		? { keyType: 'pemKey', publicKey: o.jwt.publicKeyPem, privateKey: '', algorithm: o.jwt.algorithm ?? 'RS256' }
		: { keyType: 'passphrase', secret: o.jwt.secret ?? '', algorithm: o.jwt.algorithm ?? 'HS256' };
	const jwtId = (await n8n.api.createCredential({ name: jwtName, type: 'jwtAuth', data: jwtData })).id;
	const workflow = handWiredAvailabilityWorkflow({
		path,
		jwt: o.jwt,
		postgresCredential: { id: postgresId, name: postgresName },
		jwtCredential: { id: jwtId, name: jwtName },
		name: suffix ? `Hand-wired: booking engine availability${suffix}` : undefined,
	});
	return deployHandWired(n8n, workflow, path, 'GET', { [postgresName]: postgresId, [jwtName]: jwtId });
}
