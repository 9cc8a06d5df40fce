import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { HotelService } from '../../lib/booking/hotelService';
import { HotelError } from '../../lib/inventory/errors';
import { hotelRedis, hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { actions } from './actions';
import { properties } from './description';

/**
 * The hotel's inventory and reservations: availability with prices, reservations (create, get,
 * list, update, cancel), inventory, restrictions and rates for date ranges, room types and rate
 * plans. With "Continue (using error output)", a refused request leaves on the error output with
 * `statusCode` (404, 409, 422), `code` and `field`, ready for a "Respond to Webhook" node.
 */
export class HotelReservations implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hotel Reservations',
		name: 'hotelReservations',
		icon: { light: 'file:hotelReservations.svg', dark: 'file:hotelReservations.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["resource"] + ": " + $parameter["operation"] }}',
		description: "Availability, reservations, inventory and rates in the hotel's own store",
		defaults: { name: 'Hotel Reservations' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
			{ name: 'hotelRedisApi', required: true, displayOptions: { show: { useRedis: [true] } }, testedBy: 'hotelRedisConnection' },
		],
		properties,
	};

	methods = { credentialTest: storeCredentialTests };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const redis = this.getNodeParameter('useRedis', 0, false) ? await hotelRedis(this) : undefined;
		const hotel = new HotelService(await hotelStore(this), {
			redis: redis?.redis,
			keyPrefix: redis?.keyPrefix,
			onSideEffectError: (what, error) => this.logger.warn(`Hotel Reservations: ${what} failed; the change itself is saved`, { error: (error as Error).message }),
		});
		const results: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const resource = this.getNodeParameter('resource', i) as string;
			const operation = this.getNodeParameter('operation', i) as string;
			try {
				const action = actions[`${resource}.${operation}`];
				if (!action) throw new NodeOperationError(this.getNode(), `Unknown operation ${resource}.${operation}`, { itemIndex: i });
				const started = Date.now();
				const json = await action({ fn: this, i, hotel });
				this.logger.info('Hotel Reservations operation done', {
					integration: 'database',
					operation: `${resource}.${operation}`,
					reservationId: json.id,
					durationMs: Date.now() - started,
				});
				results.push({ json, pairedItem: { item: i } });
			} catch (error) {
				const nodeError =
					error instanceof NodeOperationError
						? error
						: new NodeOperationError(this.getNode(), error as Error, {
								itemIndex: i,
								description: error instanceof HotelError && error.field ? `Field: ${error.field}` : undefined,
							});
				if (this.continueOnFail()) {
					// n8n sends an item whose json holds only error/message/details to the error output
					// (when the node is set to use one); details carry what an API answer needs.
					const e = error as HotelError;
					const details = { statusCode: e instanceof HotelError ? e.status : 500, code: e instanceof HotelError ? e.code : 'error', field: e.field ?? null };
					results.push({ json: { error: nodeError.message, details }, pairedItem: { item: i } });
					continue;
				}
				throw nodeError;
			}
		}
		return [results];
	}
}
