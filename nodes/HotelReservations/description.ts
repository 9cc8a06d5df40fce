/** The Hotel Reservations node's parameters, resource by resource. */
import type { INodeProperties } from 'n8n-workflow';
import { databaseParameter } from '../shared/hotelStore';
import { show } from '../shared/parameters';

const textField = (displayName: string, name: string, resource: string, operation: string[], extra: Partial<INodeProperties> = {}): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	displayOptions: show(resource, operation),
	...extra,
});

const numberField = (displayName: string, name: string, resource: string, operation: string[], def: number, extra: Partial<INodeProperties> = {}): INodeProperties => ({
	displayName,
	name,
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 0 },
	default: def,
	displayOptions: show(resource, operation),
	...extra,
});

const dateField = (displayName: string, name: string, resource: string, operation: string[], description: string): INodeProperties =>
	textField(displayName, name, resource, operation, { required: true, placeholder: 'YYYY-MM-DD', description });

const operations = (resource: string, options: Array<{ name: string; value: string; action: string; description?: string }>, def: string): INodeProperties => ({
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [resource] } },
	options,
	default: def,
});

export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Availability', value: 'availability' },
			{ name: 'Guest Data', value: 'guestData', description: "Erase guests' personal data: past the retention, or on request" },
			{ name: 'Inventory', value: 'inventory', description: 'Rooms to sell and restrictions per night' },
			{ name: 'Rate', value: 'rate', description: 'Prices per night' },
			{ name: 'Rate Plan', value: 'ratePlan' },
			{ name: 'Reservation', value: 'reservation' },
			{ name: 'Room Type', value: 'roomType' },
		],
		default: 'reservation',
	},
	operations('availability', [{ name: 'Get', value: 'get', action: 'Get availability and prices for a stay' }], 'get'),
	operations(
		'reservation',
		[
			{ name: 'Cancel', value: 'cancel', action: 'Cancel a reservation', description: 'Frees its rooms' },
			{ name: 'Create', value: 'create', action: 'Create a reservation', description: 'Refused when a night is sold out' },
			{ name: 'Get', value: 'get', action: 'Get a reservation' },
			{ name: 'Get Many', value: 'list', action: 'Get many reservations' },
			{ name: 'Update', value: 'update', action: 'Update a reservation', description: 'Change dates, room type, guests or guest details' },
		],
		'create',
	),
	operations(
		'guestData',
		[
			{
				name: 'Erase Past Retention',
				value: 'eraseExpired',
				action: 'Erase guest data past the retention',
				description: 'Erase the personal data of every stay that ended more than the retention ago; reservation IDs, dates and amounts stay',
			},
			{
				name: 'Erase on Request',
				value: 'erase',
				action: 'Erase one guest s data on request',
				description: "Erase a guest's personal data: one reservation, or every reservation and e-mail of an address",
			},
		],
		'eraseExpired',
	),
	operations('inventory', [{ name: 'Set', value: 'set', action: 'Set inventory and restrictions for dates' }], 'set'),
	operations('rate', [{ name: 'Set', value: 'set', action: 'Set rates for dates' }], 'set'),
	operations('roomType', [{ name: 'Create or Update', value: 'upsert', action: 'Create or update a room type' }], 'upsert'),
	operations('ratePlan', [{ name: 'Create or Update', value: 'upsert', action: 'Create or update a rate plan' }], 'upsert'),

	// Availability
	dateField('Arrival', 'arrival', 'availability', ['get'], 'First night of the stay'),
	dateField('Departure', 'departure', 'availability', ['get'], 'Day the guest leaves'),
	textField('Room Type', 'roomType', 'availability', ['get'], { description: 'Empty: every room type' }),
	numberField('Adults', 'adults', 'availability', ['get'], 2, { typeOptions: { minValue: 1, numberPrecision: 0 } }),
	numberField('Children', 'children', 'availability', ['get'], 0),
	numberField('Rooms', 'rooms', 'availability', ['get'], 1, { typeOptions: { minValue: 1, numberPrecision: 0 } }),

	// Reservation
	{
		displayName: 'Details From',
		name: 'detailsFrom',
		type: 'options',
		options: [
			{ name: 'Fields Below', value: 'fields' },
			{ name: 'JSON', value: 'json', description: 'An object like the booking-engine API takes (roomType, ratePlan, arrival, departure, adults, guest: {name, email}), or several rooms in roomStays: [{roomType, ratePlan, adults, children}]' },
		],
		default: 'fields',
		displayOptions: show('reservation', ['create']),
	},
	{
		displayName: 'Reservation (JSON)',
		name: 'reservationJson',
		type: 'json',
		default: '={{ $json.body }}',
		displayOptions: { show: { resource: ['reservation'], operation: ['create'], detailsFrom: ['json'] } },
	},
	...(['roomType', 'ratePlan', 'arrival', 'departure'] as const).map((name) =>
		textField(({ roomType: 'Room Type', ratePlan: 'Rate Plan', arrival: 'Arrival', departure: 'Departure' } as const)[name], name, 'reservation', ['create'], {
			required: true,
			displayOptions: { show: { resource: ['reservation'], operation: ['create'], detailsFrom: ['fields'] } },
			placeholder: name === 'arrival' || name === 'departure' ? 'YYYY-MM-DD' : '',
		}),
	),
	...([['Adults', 'adults', 2], ['Children', 'children', 0], ['Rooms', 'rooms', 1]] as const).map(([label, name, def]) =>
		numberField(label, name, 'reservation', ['create'], def, { displayOptions: { show: { resource: ['reservation'], operation: ['create'], detailsFrom: ['fields'] } } }),
	),
	...([['Guest Name', 'guestName', true], ['Guest Email', 'guestEmail', false], ['Guest Phone', 'guestPhone', false]] as const).map(([label, name, required]) =>
		textField(label, name, 'reservation', ['create'], {
			required,
			placeholder: name === 'guestEmail' ? 'name@email.com' : '',
			displayOptions: { show: { resource: ['reservation'], operation: ['create'], detailsFrom: ['fields'] } },
		}),
	),
	textField('Reservation ID', 'reservationId', 'reservation', ['get', 'update', 'cancel'], { required: true, placeholder: 'HB-…' }),
	{
		displayName: 'Changes (JSON)',
		name: 'changes',
		type: 'json',
		default: '={{ $json.body }}',
		description: 'The fields to change: any of roomType, ratePlan, arrival, departure, rooms, adults, children, guest; for a reservation of several rooms, arrival/departure (every room) or roomStays (the rooms)',
		displayOptions: show('reservation', ['update']),
	},
	textField('From', 'listFrom', 'reservation', ['list'], { placeholder: 'YYYY-MM-DD', description: 'Stays that end after this date' }),
	textField('To', 'listTo', 'reservation', ['list'], { placeholder: 'YYYY-MM-DD', description: 'Stays that start on or before this date' }),
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Any', value: '' },
			{ name: 'Booked', value: 'booked' },
			{ name: 'Cancelled', value: 'cancelled' },
			{ name: 'Modified', value: 'modified' },
		],
		default: '',
		displayOptions: show('reservation', ['list']),
	},
	numberField('Limit', 'limit', 'reservation', ['list'], 50, { typeOptions: { minValue: 1, maxValue: 1000, numberPrecision: 0 }, description: 'Max number of results to return' }),

	// Guest data
	numberField('Days After Departure', 'daysAfterDeparture', 'guestData', ['eraseExpired'], 365, {
		typeOptions: { minValue: 0, maxValue: 3650, numberPrecision: 0 },
		description: "How long after a stay ends its guest's personal data is kept. Check what your country's law requires (registration forms, tax) before lowering it.",
		hint: "Set your hotel's retention period before activating the Guest Data Retention workflow",
	}),
	numberField('Reservations per Run', 'batchSize', 'guestData', ['eraseExpired'], 500, {
		typeOptions: { minValue: 1, maxValue: 10000, numberPrecision: 0 },
		description: 'At most this many reservations are erased per run; the next run goes on with the rest (see remaining)',
	}),
	textField('Reservation ID', 'eraseReservationId', 'guestData', ['erase'], { placeholder: 'HB-7K2M9Q', description: "The reservation whose guest data to erase; or leave empty and give the guest's e-mail address" }),
	textField('Guest E-mail', 'guestEmail', 'guestData', ['erase'], {
		placeholder: 'guest@example.com',
		description: 'Every reservation of this address, and every e-mail sent to it, is erased. A stay still to come is refused: cancel it first.',
	}),

	// Inventory and rates
	textField('Room Type', 'roomType', 'inventory', ['set'], { required: true }),
	dateField('From', 'from', 'inventory', ['set'], 'First night'),
	dateField('To', 'to', 'inventory', ['set'], 'Last night (inclusive)'),
	{
		displayName: 'Set',
		name: 'inventoryFields',
		type: 'collection',
		placeholder: 'Add value to set',
		default: {},
		displayOptions: show('inventory', ['set']),
		options: [
			{ displayName: 'Allotment', name: 'allotment', type: 'number', typeOptions: { minValue: 0, numberPrecision: 0 }, default: 0, description: 'Rooms to sell per night' },
			{ displayName: 'Closed to Arrival', name: 'closedToArrival', type: 'boolean', default: false },
			{ displayName: 'Closed to Departure', name: 'closedToDeparture', type: 'boolean', default: false },
			{ displayName: 'Maximum Stay (Nights)', name: 'maxLos', type: 'number', typeOptions: { minValue: 0, numberPrecision: 0 }, default: 0, description: '0 clears it' },
			{ displayName: 'Minimum Stay (Nights)', name: 'minLos', type: 'number', typeOptions: { minValue: 0, numberPrecision: 0 }, default: 0, description: '0 clears it' },
			{ displayName: 'Stop Sell', name: 'stopSell', type: 'boolean', default: false },
		],
	},
	textField('Room Type', 'roomType', 'rate', ['set'], { required: true }),
	textField('Rate Plan', 'ratePlan', 'rate', ['set'], { required: true }),
	dateField('From', 'from', 'rate', ['set'], 'First night'),
	dateField('To', 'to', 'rate', ['set'], 'Last night (inclusive)'),
	numberField('Amount (Minor Units)', 'amount', 'rate', ['set'], 0, { required: true, description: 'Per room and night: 12000 is 120.00' }),

	// Catalogue
	textField('Code', 'code', 'roomType', ['upsert'], { required: true, placeholder: 'DBL' }),
	textField('Name', 'name', 'roomType', ['upsert'], { placeholder: 'Double room' }),
	numberField('Max Occupancy', 'maxOccupancy', 'roomType', ['upsert'], 2, { typeOptions: { minValue: 1, numberPrecision: 0 } }),
	textField('Code', 'code', 'ratePlan', ['upsert'], { required: true, placeholder: 'BAR' }),
	textField('Name', 'name', 'ratePlan', ['upsert'], { placeholder: 'Best available rate' }),
	textField('Currency', 'currency', 'ratePlan', ['upsert'], { required: true, default: 'EUR' }),

	databaseParameter,
	{
		displayName: 'Use Redis',
		name: 'useRedis',
		type: 'boolean',
		default: false,
		description: 'Whether to cache availability in Redis (never stale after a change) and broadcast reservation changes on the hotel channel',
	},
];
