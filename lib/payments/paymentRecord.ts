/** One payment as the billing ledger holds it (ids and amounts in minor units; never card data). */
export interface PaymentRecord {
	id: string;
	reservationId: string;
	method: string;
	currency: string;
	amount: number;
	amountReceived: number;
	amountRefunded: number;
	status: string;
	reference: string | null;
}
