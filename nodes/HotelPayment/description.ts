/** The Hotel Payment node's parameters, resource by resource. */
import type { INodeProperties } from 'n8n-workflow';
import { databaseParameter } from '../shared/hotelStore';
import { show } from '../shared/parameters';
import { DEFAULT_EVENT_EXPRESSION } from './actions';

const forGateway = (resource: string, operation: string[], gateway?: Gateway) => show(resource, operation, gateway ? { gateway: [gateway] } : {});

type Gateway = 'stripe' | 'square';

const reservationId = (resource: string, operation: string[]): INodeProperties => ({
	displayName: 'Reservation ID',
	name: 'reservationId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. R-2026-0042',
	description: "The hotel's reservation this payment belongs to",
	displayOptions: forGateway(resource, operation),
});

const amount = (resource: string, operation: string[], description: string, required = true): INodeProperties => ({
	displayName: 'Amount (Minor Units)',
	name: 'amount',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 0 },
	required,
	default: 0,
	description,
	displayOptions: forGateway(resource, operation),
});

const currency = (resource: string, operation: string[]): INodeProperties => ({
	displayName: 'Currency',
	name: 'currency',
	type: 'string',
	required: true,
	default: 'eur',
	placeholder: 'eur',
	description: 'Three-letter ISO currency code',
	displayOptions: forGateway(resource, operation),
});

/** The payment to act on: a Stripe payment intent, or a Square payment (one parameter, read the same way). */
const paymentIntentId = (resource: string, operation: string[], gateway: Gateway): INodeProperties => ({
	displayName: gateway === 'stripe' ? 'Payment Intent ID' : 'Payment ID',
	name: 'paymentIntentId',
	type: 'string',
	required: true,
	default: '',
	placeholder: gateway === 'stripe' ? 'pi_…' : 'e.g. KkAkhdMsgzn59SM8A89WgKwekxLZY',
	displayOptions: forGateway(resource, operation, gateway),
});

export const properties: INodeProperties[] = [
	{
		displayName: 'Gateway',
		name: 'gateway',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Stripe', value: 'stripe' },
			{ name: 'Square', value: 'square' },
		],
		default: 'stripe',
		description: 'The payment gateway that takes the payment (billing is the same for both)',
		displayOptions: { show: { resource: ['paymentIntent', 'refund'] } },
	},
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Payment', value: 'paymentIntent', description: 'A Stripe payment intent or a Square payment' },
			{ name: 'Refund', value: 'refund' },
			{ name: 'Billing', value: 'billing', description: "The hotel's own payment records per reservation" },
		],
		default: 'paymentIntent',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['paymentIntent'], gateway: ['stripe'] } },
		options: [
			{ name: 'Cancel', value: 'cancel', action: 'Cancel a payment intent', description: 'Release an authorisation or abandon a payment' },
			{ name: 'Capture', value: 'capture', action: 'Capture a payment intent', description: 'Take an authorised amount, in full or in part' },
			{ name: 'Confirm', value: 'confirm', action: 'Confirm a payment intent', description: 'Charge a saved payment method (pm_…)' },
			{ name: 'Create', value: 'create', action: 'Create a payment intent', description: 'Start a payment for a reservation' },
			{ name: 'Get', value: 'get', action: 'Get a payment intent' },
			{
				name: 'Reconcile Recent Payments',
				value: 'reconcile',
				action: 'Reconcile recent stripe payments with billing',
				description: "Apply Stripe's payment events of the last days that billing has not seen (missed webhooks)",
			},
		],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['paymentIntent'], gateway: ['square'] } },
		options: [
			{ name: 'Cancel', value: 'cancel', action: 'Cancel a square payment', description: 'Release an authorised payment (Square: CancelPayment)' },
			{ name: 'Capture', value: 'capture', action: 'Complete a square payment', description: 'Take an authorised payment in full (Square: CompletePayment)' },
			{ name: 'Create', value: 'create', action: 'Create a square payment', description: 'Take or authorise a payment for a reservation' },
			{ name: 'Get', value: 'get', action: 'Get a square payment' },
			{
				name: 'Reconcile Recent Payments',
				value: 'reconcile',
				action: 'Reconcile recent square payments with billing',
				description: "Apply Square's payments and refunds of the last days that billing has not seen (missed webhooks)",
			},
		],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['refund'] } },
		options: [{ name: 'Create', value: 'create', action: 'Refund a payment', description: 'Refund a payment in full or in part' }],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['billing'] } },
		options: [
			{
				name: 'Apply Payment Event',
				value: 'applyEvent',
				action: 'Apply a payment event to billing',
				description: "Update the reservation's billing status from an event of the Payment Webhook Trigger",
			},
			{ name: 'Get Status', value: 'getStatus', action: 'Get the billing status of a reservation' },
			{
				name: 'Get Unmatched Payments',
				value: 'listUnmatched',
				action: 'Get payments that match no reservation',
				description: 'Gateway payments that named no reservation of the hotel, held until matched',
			},
			{
				name: 'Match Payment to Reservation',
				value: 'matchPayment',
				action: 'Match an unmatched payment to a reservation',
				description: 'Apply a held payment to the reservation it belongs to',
			},
			{
				name: 'Record Offline Payment',
				value: 'recordOffline',
				action: 'Record an offline payment',
				description: 'Cash or bank transfer received at the hotel',
			},
		],
		default: 'applyEvent',
	},

	// Payment intent
	reservationId('paymentIntent', ['create']),
	amount('paymentIntent', ['create'], 'In the smallest currency unit: 12000 is 120.00 EUR'),
	currency('paymentIntent', ['create']),
	{
		displayName: 'Payment Reference',
		name: 'paymentReference',
		type: 'string',
		default: 'full',
		description:
			'Tells payments of one reservation apart (e.g. deposit, balance). Re-running the workflow with the same reservation and reference never creates a second payment.',
		displayOptions: forGateway('paymentIntent', ['create']),
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: forGateway('paymentIntent', ['create'], 'stripe'),
		options: [
			{
				displayName: 'Capture Method',
				name: 'captureMethod',
				type: 'options',
				options: [
					{ name: 'Automatic', value: 'automatic', description: 'Charge at once' },
					{ name: 'Manual', value: 'manual', description: 'Authorise now, capture later (e.g. at check-in)' },
				],
				default: 'automatic',
			},
			{ displayName: 'Confirm Now', name: 'confirm', type: 'boolean', default: false, description: 'Whether to confirm with the payment method at once' },
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			{ displayName: 'Payment Method ID', name: 'paymentMethod', type: 'string', default: '', placeholder: 'pm_…' },
			{ displayName: 'Receipt Email', name: 'receiptEmail', type: 'string', placeholder: 'name@email.com', default: '' },
		],
	},
	{
		displayName: 'Payment Source',
		name: 'sourceId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'cnon:… or ccof:…',
		description: "A card token from Square's Web Payments SDK or a card on file — never card details",
		displayOptions: forGateway('paymentIntent', ['create'], 'square'),
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add field',
		default: {},
		displayOptions: forGateway('paymentIntent', ['create'], 'square'),
		options: [
			{
				displayName: 'Delayed Capture',
				name: 'delayedCapture',
				type: 'boolean',
				default: false,
				description: 'Whether to authorise now and take the payment later with Capture (e.g. at check-in); Square cancels it by itself after about a week',
			},
			{ displayName: 'Buyer Email', name: 'buyerEmail', type: 'string', placeholder: 'name@email.com', default: '' },
			{ displayName: 'Location ID', name: 'locationId', type: 'string', default: '', description: "Another of the hotel's Square locations than the credential's" },
			{ displayName: 'Note', name: 'note', type: 'string', default: '' },
		],
	},
	{
		displayName: 'Days Back',
		name: 'days',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 30, numberPrecision: 0 },
		default: 3,
		description: "How far back to read the gateway's record (Stripe keeps events for 30 days)",
		displayOptions: forGateway('paymentIntent', ['reconcile']),
	},
	paymentIntentId('paymentIntent', ['get', 'confirm', 'capture', 'cancel'], 'stripe'),
	paymentIntentId('paymentIntent', ['get', 'capture', 'cancel'], 'square'),
	{
		displayName: 'Payment Method ID',
		name: 'paymentMethod',
		type: 'string',
		default: '',
		placeholder: 'pm_…',
		description: 'A payment method collected by Stripe (never card details). Empty: the one attached to the intent.',
		displayOptions: forGateway('paymentIntent', ['confirm'], 'stripe'),
	},
	{
		displayName: 'Amount to Capture (Minor Units)',
		name: 'amountToCapture',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 0,
		description: '0 captures the whole authorised amount',
		displayOptions: forGateway('paymentIntent', ['capture'], 'stripe'),
	},
	{
		displayName: 'Cancellation Reason',
		name: 'cancellationReason',
		type: 'options',
		options: [
			{ name: 'Abandoned', value: 'abandoned' },
			{ name: 'Duplicate', value: 'duplicate' },
			{ name: 'Fraudulent', value: 'fraudulent' },
			{ name: 'None', value: '' },
			{ name: 'Requested by Customer', value: 'requested_by_customer' },
		],
		default: '',
		displayOptions: forGateway('paymentIntent', ['cancel'], 'stripe'),
	},

	// Refund
	paymentIntentId('refund', ['create'], 'stripe'),
	paymentIntentId('refund', ['create'], 'square'),
	amount('refund', ['create'], '0 refunds everything not refunded yet', false),
	{
		displayName: 'Refund Reference',
		name: 'refundReference',
		type: 'string',
		default: '',
		description: 'Tells two partial refunds of the same amount apart. Re-running with the same reference never refunds twice.',
		displayOptions: forGateway('refund', ['create']),
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'options',
		options: [
			{ name: 'Duplicate', value: 'duplicate' },
			{ name: 'Fraudulent', value: 'fraudulent' },
			{ name: 'None', value: '' },
			{ name: 'Requested by Customer', value: 'requested_by_customer' },
		],
		default: 'requested_by_customer',
		displayOptions: forGateway('refund', ['create'], 'stripe'),
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'e.g. Guest left a night early',
		description: 'Shown in Square with the refund (up to 192 characters)',
		displayOptions: forGateway('refund', ['create'], 'square'),
	},

	// Billing
	reservationId('billing', ['recordOffline', 'getStatus', 'matchPayment']),
	{
		displayName: 'Payment ID',
		name: 'paymentId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. pi_3Q0abc or square:R2bc',
		description: 'The held payment, as Get Unmatched Payments lists it',
		displayOptions: forGateway('billing', ['matchPayment']),
	},
	{
		displayName: 'Include Matched',
		name: 'includeMatched',
		type: 'boolean',
		default: false,
		description: 'Whether to list payments matched since, too (with when, to which reservation, and by whom)',
		displayOptions: forGateway('billing', ['listUnmatched']),
	},
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: [
			{ name: 'Bank Transfer', value: 'bank_transfer' },
			{ name: 'Cash', value: 'cash' },
			{ name: 'Other', value: 'other' },
		],
		default: 'cash',
		displayOptions: forGateway('billing', ['recordOffline']),
	},
	amount('billing', ['recordOffline'], 'In the smallest currency unit: 12000 is 120.00 EUR'),
	currency('billing', ['recordOffline']),
	{
		displayName: 'Receipt Reference',
		name: 'reference',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. till receipt 0815',
		description: 'Your reference for this payment. Recording the same reference again changes nothing.',
		displayOptions: forGateway('billing', ['recordOffline']),
	},
	{
		displayName: 'Event',
		name: 'event',
		type: 'json',
		default: DEFAULT_EVENT_EXPRESSION,
		description: 'The Stripe or Square event, as the Payment Webhook Trigger outputs it',
		displayOptions: forGateway('billing', ['applyEvent']),
	},
	databaseParameter,
];
