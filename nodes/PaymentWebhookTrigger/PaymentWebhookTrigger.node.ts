import type { IDataObject, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { classifyStripeEvent } from '../../lib/payments/paymentEvents';
import { DEFAULT_TOLERANCE_SECONDS, verifyStripeEvent, type StripeEvent } from '../../lib/payments/stripeSignature';
import { storeCredentialTests } from '../shared/hotelStore';
import { noRegistration } from '../shared/noRegistration';
import { leaseOption, paymentOutputs, receivePaymentEvent, storeCredentials, storeParameters, type GatewayWebhook } from '../shared/paymentWebhook';

const stripe: GatewayWebhook = {
	partner: 'Stripe',
	source: 'stripe',
	credentialType: 'hotelStripeApi',
	verify(raw, req, credentials, options: IDataObject) {
		const event = verifyStripeEvent(raw, req.headers['stripe-signature'], String(credentials.webhookSecret ?? ''), {
			toleranceSeconds: options.toleranceSeconds as number | undefined,
		});
		return { id: event.id, type: event.type, event };
	},
	classify: (event) => classifyStripeEvent(event as StripeEvent),
};

/**
 * Receives Stripe webhooks and starts one execution per event, however often Stripe delivers it
 * (signature, event claim, outputs per outcome: nodes/shared/paymentWebhook.ts). Square's
 * deliveries have a trigger of their own, Square Webhook Trigger.
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
		...paymentOutputs,
		credentials: [{ name: 'hotelStripeApi', required: true }, ...storeCredentials],
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
			...storeParameters,
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
					leaseOption,
				],
			},
		],
	};

	methods = { credentialTest: storeCredentialTests };

	webhookMethods = noRegistration;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return receivePaymentEvent(this, stripe);
	}
}
