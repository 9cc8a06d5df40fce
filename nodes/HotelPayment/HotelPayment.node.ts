import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { assertNoCardData } from '../../lib/payments/cardGuard';
import { storeCredentialTests } from '../shared/hotelStore';
import { runOperations } from '../shared/runOperations';
import { actions, ledgerFor, squareFor, stripeFor, type ActionContext } from './actions';
import { properties } from './description';

/**
 * Payments for reservations: Stripe payment intents or Square payments, refunds, offline payments,
 * and the hotel's billing status per reservation. Card details are never accepted.
 */
export class HotelPayment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hotel Payment',
		name: 'hotelPayment',
		icon: { light: 'file:hotelPayment.svg', dark: 'file:hotelPayment.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["resource"] + ": " + $parameter["operation"] }}',
		description: 'Take, capture and refund payments for reservations with Stripe or Square, and keep billing status',
		defaults: { name: 'Hotel Payment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Apply Event has a second output for payments that match no reservation of the store. n8n
		// evaluates this only to draw the canvas (and for an error output), not per execution.
		outputs: `={{ $parameter.resource === 'billing' && $parameter.operation === 'applyEvent' ? ${JSON.stringify(APPLY_EVENT_OUTPUTS)} : ['main'] }}`,
		credentials: [
			{
				name: 'hotelStripeApi',
				required: true,
				displayOptions: { show: { resource: ['paymentIntent', 'refund'], gateway: ['stripe'] } },
			},
			{
				name: 'hotelSquareApi',
				required: true,
				displayOptions: { show: { resource: ['paymentIntent', 'refund'], gateway: ['square'] } },
			},
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		properties,
	};

	methods = { credentialTest: storeCredentialTests };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Clients are built once per execution, and only if an operation needs them.
		let stripe: ReturnType<typeof stripeFor> | undefined;
		let square: ReturnType<typeof squareFor> | undefined;
		let ledger: ReturnType<typeof ledgerFor> | undefined;
		return runOperations<ActionContext>(this, {
			node: 'Hotel Payment',
			operations: actions,
			context: (i) => ({ fn: this, i, stripe: () => (stripe ??= stripeFor(this)), square: () => (square ??= squareFor(this)), ledger: () => (ledger ??= ledgerFor(this)) }),
			// Card numbers are refused before anything is sent or logged, in raw and resolved values.
			before: (i) => {
				assertNoCardData(this.getNode().parameters as IDataObject);
				assertNoCardData(currentValues(this, i));
			},
			outputs: this.getNodeParameter('operation', 0) === 'applyEvent' ? { count: 2, of: (json) => (json.unmatched ? 1 : 0) } : undefined,
			logFields: (json, i) => ({
				integration: this.getNodeParameter('resource', i) === 'billing' ? 'database' : this.getNodeParameter('gateway', i, 'stripe'),
				reservationId: json.reservationId ?? (this.getNodeParameter('reservationId', i, '') || undefined),
				paymentId: json.id,
			}),
		});
	}
}

const APPLY_EVENT_OUTPUTS = [
	{ type: 'main', displayName: 'Applied' },
	{ type: 'main', displayName: 'Unmatched Payment' },
];

/** The resolved values this item would send (expressions evaluated), for the card guard. */
function currentValues(fn: IExecuteFunctions, i: number): IDataObject {
	const values: IDataObject = {};
	for (const name of ['reservationId', 'paymentReference', 'paymentMethod', 'sourceId', 'refundReference', 'reason', 'reference', 'additionalFields']) {
		try {
			values[name] = fn.getNodeParameter(name, i, '') as IDataObject[keyof IDataObject];
		} catch {
			// not a parameter of this operation
		}
	}
	return values;
}
