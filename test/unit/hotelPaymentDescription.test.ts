/** What the Hotel Payment node offers per gateway: Square's choice holds only what Square has. */
import type { INodeProperties } from 'n8n-workflow';
import { HotelPayment } from '../../nodes/HotelPayment/HotelPayment.node';

const properties = new HotelPayment().description.properties;
const shownFor = (p: INodeProperties, gateway: string) => {
	const gateways = p.displayOptions?.show?.gateway as string[] | undefined;
	return gateways === undefined || gateways.includes(gateway);
};
const operationsFor = (gateway: string) =>
	properties
		.filter((p) => p.name === 'operation' && (p.displayOptions?.show?.resource as string[]).includes('paymentIntent') && shownFor(p, gateway))
		.flatMap((p) => (p.options as Array<{ value: string }>).map((o) => o.value))
		.sort();

it('offers Stripe create, get, confirm, capture and cancel, and Square the same without confirm', () => {
	expect(operationsFor('stripe')).toEqual(['cancel', 'capture', 'confirm', 'create', 'get', 'reconcile']);
	expect(operationsFor('square')).toEqual(['cancel', 'capture', 'create', 'get', 'reconcile']);
});

it("shows Stripe-only fields (partial capture, payment method, cancellation reason) only for Stripe, and Square's payment source only for Square", () => {
	const byName = (name: string) => properties.filter((p) => p.name === name);
	for (const name of ['amountToCapture', 'paymentMethod', 'cancellationReason']) {
		expect(byName(name).every((p) => !shownFor(p, 'square'))).toBe(true);
	}
	expect(byName('sourceId').every((p) => !shownFor(p, 'stripe') && p.required)).toBe(true);
});

it('asks for the credential of the chosen gateway only', () => {
	const credentials = new HotelPayment().description.credentials ?? [];
	expect(credentials.find((c) => c.name === 'hotelStripeApi')?.displayOptions?.show?.gateway).toEqual(['stripe']);
	expect(credentials.find((c) => c.name === 'hotelSquareApi')?.displayOptions?.show?.gateway).toEqual(['square']);
});
