/**
 * The one translation from our domain errors to what n8n shows: a NodeApiError when a partner
 * (Stripe, a channel) failed or refused, a NodeOperationError otherwise — plus the details an API
 * answer needs (HTTP status, a stable code, the field at fault), used on a node's error output.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { HotelError } from '../../lib/inventory/errors';
import { CardDataError } from '../../lib/payments/cardGuard';
import { PartnerError } from '../../lib/resilience/policy';
import type { ErrorDetails } from './runOperations';

export function describeError(node: INode, error: unknown, itemIndex?: number): { nodeError: NodeOperationError | NodeApiError; details: ErrorDetails } {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return { nodeError: error, details: { statusCode: 500, code: 'error', field: null } };
	if (error instanceof CardDataError) {
		return { nodeError: new NodeOperationError(node, error.message, { itemIndex }), details: { statusCode: 422, code: 'card_data', field: error.field } };
	}
	if (error instanceof HotelError) {
		const nodeError = new NodeOperationError(node, error, { itemIndex, description: error.field ? `Field: ${error.field}` : undefined });
		return { nodeError, details: { statusCode: error.status, code: error.code, field: error.field ?? null } };
	}
	if (error instanceof PartnerError) {
		const { status, code } = error.details;
		const nodeError = new NodeApiError(node, { message: error.message, code: code ?? null } as JsonObject, {
			message: error.message,
			httpCode: status ? String(status) : undefined,
			itemIndex,
		});
		return { nodeError, details: { statusCode: status ?? 502, code: code ?? 'partner_error', field: null } };
	}
	const message = error instanceof Error ? error.message : String(error);
	return { nodeError: new NodeOperationError(node, message, { itemIndex }), details: { statusCode: 500, code: 'error', field: null } };
}
