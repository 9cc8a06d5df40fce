import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { noRegistration } from '../shared/noRegistration';
import { BodyTooLarge, rawBodyOf } from '../shared/rawBody';
import { OUTCOMES, classifyStripeEvent } from '../../lib/payments/paymentEvents';
import { DEFAULT_TOLERANCE_SECONDS, WebhookRejection, verifyStripeEvent } from '../../lib/payments/stripeSignature';
import { PostgresEventClaims, RedisEventClaims, type EventClaimStore } from '../../lib/webhooks/eventClaims';
import { credentialsOf, databaseParameter, hotelRedis, hotelStore, storeCredentialTests } from '../shared/hotelStore';

/**
 * Receives Stripe webhooks and starts one execution per event, however often Stripe delivers it.
 *
 * 1. The signature is checked over the raw body; a bad one is answered 400/401 and starts nothing.
 * 2. The event id is claimed in the chosen store. A duplicate of a processed event gets 200; a
 *    delivery that races one still in progress gets 409 (Stripe retries it later).
 * 3. The winner is emitted on its outcome's output. n8n answers Stripe when the workflow ends
 *    ("When Last Node Finishes"): 200 marks the event done, a failed workflow's 500 releases it so
 *    Stripe's redelivery is processed again. A process that dies leaves a lease that runs out.
 */
export class PaymentWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Payment Webhook Trigger',
		name: 'paymentWebhookTrigger',
		icon: { light: 'file:paymentWebhookTrigger.svg', dark: 'file:paymentWebhookTrigger.dark.svg' },
		group: ['trigger'],
		// Version 2 behaves as 1. It exists because n8n evaluates an expression on every request to a
		// version-1 webhook node (webhook-helpers' parseRequestBody asks for options.binaryData), which
		// costs an expression sandbox when n8n acquires them lazily; version 2 skips that.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: 'Stripe events',
		description: 'Starts a workflow once per Stripe payment event, signature-checked',
		defaults: { name: 'Payment Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Payment Succeeded', 'Payment Failed', 'Refunded', 'Other Event'],
		credentials: [
			{ name: 'hotelStripeApi', required: true },
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
			{ name: 'hotelRedisApi', required: true, displayOptions: { show: { eventStore: ['redis'] } }, testedBy: 'hotelRedisConnection' },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				path: 'stripe',
				// Answer when the workflow has finished, so the answer tells Stripe whether it worked.
				responseMode: 'lastNode',
				responseData: 'noData',
			},
		],
		properties: [
			{
				displayName:
					"In Stripe's dashboard, add a webhook endpoint with this node's Production URL and put its signing secret in the Hotel Stripe API credential.",
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Remember Events In',
				name: 'eventStore',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Hotel Database', value: 'database', description: 'Durable; the same database as payments' },
					{ name: 'Redis', value: 'redis', description: 'Fast; durable only if your Redis persists its data' },
				],
				default: 'database',
				description: 'Where the IDs of processed events are kept so that a redelivered event starts no second execution',
			},
			databaseParameter,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Signature Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_TOLERANCE_SECONDS,
						description: "How far a delivery's signed timestamp may be from now, either way",
					},
					{
						displayName: 'Processing Lease (Seconds)',
						name: 'leaseSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 300,
						description:
							'How long an event being processed blocks other deliveries of it. If n8n stops mid-way, a redelivery after this time processes the event again.',
					},
				],
			},
		],
	};

	methods = { credentialTest: storeCredentialTests };

	webhookMethods = noRegistration;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const options = this.getNodeParameter('options', {}) as { toleranceSeconds?: number; leaseSeconds?: number };
		const answer = (status: number, body: IDataObject): IWebhookResponseData => {
			res.status(status).json(body);
			return { noWebhookResponse: true };
		};

		const credentials = await credentialsOf(this, 'hotelStripeApi');
		let event;
		try {
			event = verifyStripeEvent(await rawBodyOf(req), req.headers['stripe-signature'], String(credentials.webhookSecret ?? ''), {
				toleranceSeconds: options.toleranceSeconds,
			});
		} catch (error) {
			if (error instanceof BodyTooLarge) return answer(413, { error: error.message });
			if (error instanceof WebhookRejection) {
				this.logger.warn('Stripe webhook rejected', { integration: 'stripe', status: error.status, reason: error.message });
				return answer(error.status, { error: error.message });
			}
			throw new NodeOperationError(this.getNode(), error as Error);
		}

		const claims = await eventClaimsFor(this);
		const leaseMs = (options.leaseSeconds ?? 300) * 1000;
		const claim = await claims.claim('stripe', event.id, { leaseMs, eventType: event.type });
		if (claim.outcome === 'duplicate') return answer(200, { received: true, duplicate: true });
		if (claim.outcome === 'in_progress') {
			return answer(409, { error: `Event ${event.id} is being processed by another delivery; retry later.` });
		}

		// The response is written once the workflow ends; its status is the workflow's outcome.
		res.once('finish', () => {
			const settle = res.statusCode < 300 ? claims.complete('stripe', event.id, claim.token) : claims.release('stripe', event.id, claim.token);
			settle.catch((error) => this.logger.error('Could not record webhook outcome', { eventId: event.id, error: (error as Error).message }));
		});

		const classified = classifyStripeEvent(event);
		this.logger.info('Stripe event accepted', { integration: 'stripe', eventId: event.id, type: event.type, attempt: claim.attempt });
		const item = { json: { ...classified, event } as unknown as IDataObject };
		return { workflowData: OUTCOMES.map((outcome) => (outcome === classified.outcome ? [item] : [])) };
	}
}

async function eventClaimsFor(ctx: IWebhookFunctions): Promise<EventClaimStore> {
	if (ctx.getNodeParameter('eventStore', 'database') === 'redis') {
		const { redis, keyPrefix } = await hotelRedis(ctx);
		return new RedisEventClaims(redis, { keyPrefix });
	}
	return new PostgresEventClaims(await hotelStore(ctx));
}
