import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';
import { assertNoCardData, CardDataError } from '../../lib/payments/cardGuard';
import { PartnerError } from '../../lib/resilience/policy';
import { storeCredentialTests } from '../shared/hotelStore';
import { runOperations, type ErrorDetails } from '../shared/runOperations';
import { actions, ledgerFor, stripeFor, type ActionContext } from './actions';
import { properties } from './description';

/**
 * Payments for reservations: Stripe payment intents and refunds, offline payments, and the
 * hotel's billing status per reservation. Card details are never accepted.
 */
export class HotelPayment implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hotel Payment',
		name: 'hotelPayment',
		icon: { light: 'file:hotelPayment.svg', dark: 'file:hotelPayment.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["resource"] + ": " + $parameter["operation"] }}',
		description: 'Take, capture and refund payments for reservations with Stripe, and keep billing status',
		defaults: { name: 'Hotel Payment' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'hotelStripeApi',
				required: true,
				displayOptions: { show: { resource: ['paymentIntent', 'refund'] } },
			},
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		properties,
	};

	methods = { credentialTest: storeCredentialTests };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Clients are built once per execution, and only if an operation needs them.
		let stripe: ReturnType<typeof stripeFor> | undefined;
		let ledger: ReturnType<typeof ledgerFor> | undefined;
		return runOperations<ActionContext>(this, {
			node: 'Hotel Payment',
			operations: actions,
			context: (i) => ({ fn: this, i, stripe: () => (stripe ??= stripeFor(this)), ledger: () => (ledger ??= ledgerFor(this)) }),
			// Card numbers are refused before anything is sent or logged, in raw and resolved values.
			before: (i) => {
				assertNoCardData(this.getNode().parameters as IDataObject);
				assertNoCardData(currentValues(this, i));
			},
			describeError: (error, i) => toNodeError(this, error, i),
			logFields: (json, i) => ({
				integration: this.getNodeParameter('resource', i) === 'billing' ? 'database' : 'stripe',
				reservationId: json.reservationId ?? (this.getNodeParameter('reservationId', i, '') || undefined),
				paymentId: json.id,
			}),
		});
	}
}

/** The resolved values this item would send (expressions evaluated), for the card guard. */
function currentValues(fn: IExecuteFunctions, i: number): IDataObject {
	const values: IDataObject = {};
	for (const name of ['reservationId', 'paymentReference', 'paymentMethod', 'refundReference', 'reference', 'additionalFields']) {
		try {
			values[name] = fn.getNodeParameter(name, i, '') as IDataObject[keyof IDataObject];
		} catch {
			// not a parameter of this operation
		}
	}
	return values;
}

function toNodeError(fn: IExecuteFunctions, error: unknown, itemIndex: number): { nodeError: Error; details: ErrorDetails } {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) {
		return { nodeError: error, details: { statusCode: 500, code: 'error', field: null } };
	}
	if (error instanceof CardDataError) {
		return { nodeError: new NodeOperationError(fn.getNode(), error.message, { itemIndex }), details: { statusCode: 422, code: 'card_data', field: error.field } };
	}
	if (error instanceof PartnerError) {
		const { status, code } = error.details;
		const nodeError = new NodeApiError(fn.getNode(), { message: error.message, code: code ?? null } as JsonObject, {
			message: error.message,
			httpCode: status ? String(status) : undefined,
			itemIndex,
		});
		return { nodeError, details: { statusCode: status ?? 502, code: code ?? 'partner_error', field: null } };
	}
	return { nodeError: new NodeOperationError(fn.getNode(), (error as Error).message ?? String(error), { itemIndex }), details: { statusCode: 500, code: 'error', field: null } };
}
