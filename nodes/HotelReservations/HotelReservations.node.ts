import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { HotelService } from '../../lib/booking/hotelService';
import { hotelRedis, hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { runOperations } from '../shared/runOperations';
import { actions, type ActionContext } from './actions';
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
		const redis = this.getNodeParameter('useRedis', 0, false) ? await hotelRedis(this) : undefined;
		const hotel = new HotelService(await hotelStore(this), {
			redis: redis?.redis,
			keyPrefix: redis?.keyPrefix,
			onSideEffectError: (what, error) => this.logger.warn(`Hotel Reservations: ${what} failed; the change itself is saved`, { error: (error as Error).message }),
		});
		return runOperations<ActionContext>(this, {
			node: 'Hotel Reservations',
			operations: actions,
			context: (i) => ({ fn: this, i, hotel }),
			logFields: (json) => ({ integration: 'database', reservationId: json.id }),
		});
	}
}
