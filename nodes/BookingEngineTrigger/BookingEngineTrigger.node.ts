import {
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import {
	MAX_BODY_BYTES,
	ROUTES,
	checkAvailabilityQuery,
	checkChangeBody,
	checkCreateBody,
	checkReservationId,
	routeOf,
} from '../../lib/booking/apiRequests';
import { authenticateBearer, type JwtAuthConfig } from '../../lib/booking/jwtAuth';
import { HttpRefusal } from '../../lib/errors';
import { AvailabilityCache, asCacheHit } from '../../lib/booking/availabilityCache';
import { dataVersion } from '../../lib/inventory/catalog';
import { admissionFor } from '../../lib/booking/admission';
import { ReservationBook } from '../../lib/inventory/reservations';
import type { StayInput } from '../../lib/inventory/reservationTypes';
import { credentialsOf, databaseParameter, hotelRedis, hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { noRegistration } from '../shared/noRegistration';
import { receiveOrRefuse, refuse } from '../shared/webhookAnswer';

/**
 * The hotel's booking-engine REST API, served under n8n's webhook URL:
 *   GET /availability · POST /reservations · GET, PUT, DELETE /reservations/:id
 * Each request is authenticated (JWT bearer) and shape-checked here; a refused request is answered
 * at once (401/403/400/413/422) and starts nothing. An accepted one leaves on its route's output,
 * so the flow is on the canvas; "Respond to Webhook" nodes answer it.
 */
export class BookingEngineTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Booking Engine Trigger',
		name: 'bookingEngineTrigger',
		icon: { light: 'file:bookingEngineTrigger.svg', dark: 'file:bookingEngineTrigger.dark.svg' },
		group: ['trigger'],
		// Version 2 behaves as 1: it spares the expression n8n evaluates on every request to a
		// version-1 webhook node (see the Payment Webhook Trigger), and n8n reads no body it cannot
		// parse — a body that is not JSON is refused below either way.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: 'REST API for the booking engine',
		description: 'Serves the booking-engine API (availability and reservations) behind JWT',
		defaults: { name: 'Booking Engine API' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Availability', 'Create Reservation', 'Get Reservation', 'Change Reservation', 'Cancel Reservation'],
		credentials: [
			{ name: 'hotelBookingEngineApi', required: true, testedBy: 'bookingEngineAuthConfig' },
			{ name: 'hotelRedisApi', required: true, displayOptions: { show: { cacheAvailability: [true] } }, testedBy: 'hotelRedisConnection' },
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		webhooks: [
			{ name: 'default', httpMethod: 'GET', path: 'availability', responseMode: 'responseNode' },
			{ name: 'default', httpMethod: 'POST', path: 'reservations', responseMode: 'responseNode' },
			// n8n matches a path with a parameter by the node's webhook id plus the path below it, which
			// needs isFullPath; the URL is the same shape: /webhook/<webhook id>/reservations/<id>.
			{ name: 'default', httpMethod: 'GET', path: 'reservations/:id', isFullPath: true, responseMode: 'responseNode' },
			{ name: 'default', httpMethod: 'PUT', path: 'reservations/:id', isFullPath: true, responseMode: 'responseNode' },
			{ name: 'default', httpMethod: 'DELETE', path: 'reservations/:id', isFullPath: true, responseMode: 'responseNode' },
		],
		properties: [
			{
				displayName:
					'Answer every output with a "Respond to Webhook" node (see the shipped booking-engine workflow). Requests need "Authorization: Bearer <JWT>" as set in the credential.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Answer Repeated Availability Requests From Cache',
				name: 'cacheAvailability',
				type: 'boolean',
				default: false,
				description:
					"Whether to answer a GET /availability that the workflow already answered straight from Redis, without starting an execution. An answer is reused only until the hotel's data changes (any booking, inventory, restriction or rate change), so it is never stale.",
			},
			{
				...databaseParameter,
				description: "The hotel database the workflow's Hotel Reservations nodes use: sold-out stays are found there, and its data version decides whether a cached answer is still valid",
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Bookings at Once',
						name: 'bookingsAtOnce',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_BOOKINGS_AT_ONCE,
						description:
							'How many POST /reservations this n8n process works on at the same time; the others wait their turn in order of arrival. A booking for a stay that is sold out by then is answered 409 here, without an execution.',
					},
					{
						displayName: 'Longest Wait for a Turn (Seconds)',
						name: 'maxWaitSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_MAX_WAIT_SECONDS,
						description: 'A booking still waiting after this long is answered 503 with Retry-After, so the guest can try again',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			...storeCredentialTests,
			/** The Test button: is the algorithm's key usable? (A token with a bad signature must fail as such, not as "misconfigured".) */
			async bookingEngineAuthConfig(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				try {
					await authenticateBearer('Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', authConfigFrom(credential.data ?? {}));
				} catch (error) {
					if (error instanceof HttpRefusal && error.code === 'misconfigured') return { status: 'Error', message: error.message };
				}
				return { status: 'OK', message: 'The key is usable for the chosen algorithm' };
			},
		},
	};

	webhookMethods = noRegistration;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const receiver = { integration: 'booking-engine' };
		return receiveOrRefuse(this, receiver, async () => {
			const req = this.getRequestObject();
			const res = this.getResponseObject();
			const caller = await authenticateBearer(req.headers.authorization, authConfigFrom(await credentialsOf(this, 'hotelBookingEngineApi')));
			if ((req.rawBody?.length ?? 0) > MAX_BODY_BYTES) return refuse(this, receiver, new HttpRefusal(413, `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`));
			const id = (req.params as Record<string, string | undefined>)?.id;
			const route = routeOf(req.method, id);
			const request: IDataObject = { route, caller: { subject: caller.subject ?? null, scopes: caller.scopes } };
			if (route === 'availability') request.query = checkAvailabilityQuery(req.query as Record<string, unknown>);
			if (route === 'changeReservation') request.body = checkChangeBody(req.body);
			if (id !== undefined) request.id = checkReservationId(id);
			if (route === 'createReservation') {
				const body = checkCreateBody(req.body);
				request.body = body as IDataObject;
				const refusal = await takeTurn(this, body);
				if (refusal) return refuse(this, receiver, refusal);
			}
			if (route === 'availability' && this.getNodeParameter('cacheAvailability', false)) {
				const cached = await cachedAnswer(this, request.query as IDataObject);
				if (cached.hit !== undefined) {
					res.status(200).setHeader('content-type', 'application/json; charset=utf-8');
					res.setHeader('x-hotel-cache', 'hit');
					res.end(cached.hit);
					return { noWebhookResponse: true };
				}
				res.setHeader('x-hotel-cache', 'miss');
				cached.keepAnswer?.();
			}
			this.logger.info('Booking engine request accepted', { integration: 'booking-engine', route, reservationId: id, subject: caller.subject });
			const index = ROUTES.findIndex((r) => r.route === route);
			return { workflowData: ROUTES.map((_, i) => (i === index ? [{ json: request }] : [])) };
		});
	}
}

const DEFAULT_BOOKINGS_AT_ONCE = 4;
const DEFAULT_MAX_WAIT_SECONDS = 30;
const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * A booking waits its turn (lib/booking/admission.ts), holds it until its answer is sent, and is
 * refused 409 here if its stay is sold out when its turn comes — with the body the shipped
 * workflow's "Answer Error" gives for the same refusal — or 503 if its turn never came.
 */
async function takeTurn(ctx: IWebhookFunctions, body: Record<string, unknown>): Promise<HttpRefusal | undefined> {
	const options = ctx.getNodeParameter('options', {}) as { bookingsAtOnce?: number; maxWaitSeconds?: number };
	const gate = admissionFor(`${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`, Math.max(1, options.bookingsAtOnce ?? DEFAULT_BOOKINGS_AT_ONCE));
	const waitSeconds = Math.max(1, options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS);
	const release = await gate.enter(waitSeconds * 1000);
	if (!release) {
		return new HttpRefusal(503, `The booking engine is busy (${gate.queued} bookings waiting for over ${waitSeconds} s). Please retry in a few seconds.`, {
			code: 'busy',
			headers: { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) },
		});
	}
	// 'close' follows the answer — the workflow's, a refusal, or n8n's 500 after an error here — or
	// a client that went away: either way the turn is over.
	ctx.getResponseObject().once('close', release);
	const soldOut = await new ReservationBook(await hotelStore(ctx)).soldOutNow(body as unknown as StayInput);
	return soldOut && new HttpRefusal(soldOut.status, soldOut.message, { code: soldOut.code, field: soldOut.field });
}

function authConfigFrom(c: ICredentialDataDecryptedObject): JwtAuthConfig {
	return {
		algorithms: [String(c.algorithm || 'HS256')],
		secret: c.secret ? String(c.secret) : undefined,
		publicKeyPem: c.publicKeyPem ? String(c.publicKeyPem) : undefined,
		issuer: c.issuer ? String(c.issuer) : undefined,
		audience: c.audience ? String(c.audience) : undefined,
		requiredScope: String(c.requiredScope || 'reservations'),
	};
}

/**
 * The whole HTTP answer the workflow gave to the same availability query at the current data
 * version, if any; on a miss, `keepAnswer` arranges for the workflow's 200 answer to be kept.
 * n8n's own work per execution (~100 ms here) dwarfs the query (~1 ms): only answering a repeated
 * request without an execution makes the cache worth having.
 */
async function cachedAnswer(ctx: IWebhookFunctions, query: IDataObject): Promise<{ hit?: string; keepAnswer?: () => void }> {
	const [{ redis, keyPrefix }, db] = await Promise.all([hotelRedis(ctx), hotelStore(ctx)]);
	const cache = new AvailabilityCache(redis, () => dataVersion(db), { keyPrefix, namespace: 'api' });
	const found = await cache.lookup(query);
	if (!found) return {};
	if (found.hit !== undefined) return { hit: found.hit };
	const res = ctx.getResponseObject();
	return {
		keepAnswer: () => {
			// The Respond to Webhook node writes the answer with res.end(body); keep a 200 one.
			const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
			res.end = ((chunk?: unknown, ...rest: unknown[]) => {
				if (res.statusCode === 200 && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
					void cache.store(found.key, asCacheHit(chunk.toString()));
				}
				return end(chunk, ...rest);
			}) as typeof res.end;
		},
	};
}
