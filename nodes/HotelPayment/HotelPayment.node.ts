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
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		// Clients are built once per execution, and only if an operation needs them.
		let stripe: ReturnType<typeof stripeFor> | undefined;
		let ledger: ReturnType<typeof ledgerFor> | undefined;

		for (let i = 0; i < items.length; i++) {
			const resource = this.getNodeParameter('resource', i) as string;
			const operation = this.getNodeParameter('operation', i) as string;
			const action = actions[`${resource}.${operation}`];
			try {
				if (!action) throw new NodeOperationError(this.getNode(), `Unknown operation ${resource}.${operation}`, { itemIndex: i });
				assertNoCardData(this.getNode().parameters as IDataObject);
				assertNoCardData(currentValues(this, i));
				const ctx: ActionContext = {
					fn: this,
					i,
					stripe: () => (stripe ??= stripeFor(this)),
					ledger: () => (ledger ??= ledgerFor(this)),
				};
				const started = Date.now();
				const json = await action(ctx);
				// Structured, and only ids and amounts: the card guard above ran on every value.
				this.logger.info('Hotel Payment operation done', {
					integration: resource === 'billing' ? 'database' : 'stripe',
					operation: `${resource}.${operation}`,
					reservationId: json.reservationId ?? (this.getNodeParameter('reservationId', i, '') || undefined),
					paymentId: json.id,
					durationMs: Date.now() - started,
				});
				out.push({ json, pairedItem: { item: i } });
			} catch (error) {
				const nodeError = toNodeError(this, error, i);
				this.logger.warn('Hotel Payment operation failed', { operation: `${resource}.${operation}`, item: i, error: nodeError.message });
				if (this.continueOnFail()) {
					out.push({ json: { error: nodeError.message }, pairedItem: { item: i } });
					continue;
				}
				throw nodeError;
			}
		}
		return [out];
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

function toNodeError(fn: IExecuteFunctions, error: unknown, itemIndex: number) {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof CardDataError) return new NodeOperationError(fn.getNode(), error.message, { itemIndex });
	if (error instanceof PartnerError) {
		const { status, code } = error.details;
		return new NodeApiError(fn.getNode(), { message: error.message, code: code ?? null } as JsonObject, {
			message: error.message,
			httpCode: status ? String(status) : undefined,
			itemIndex,
		});
	}
	return new NodeOperationError(fn.getNode(), (error as Error).message ?? String(error), { itemIndex });
}
