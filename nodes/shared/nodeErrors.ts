/**
 * The one translation from our errors (lib/errors.ts and the two kinds that live with their
 * layer) to what n8n shows: a NodeApiError when a partner (Stripe, a channel) failed or refused, a
 * NodeOperationError otherwise — plus the details an API answer needs (HTTP status, a stable code,
 * the field at fault), used on a node's error output. runOperations.ts calls it for every action
 * node; the polling triggers call it for what they throw.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { HotelError } from '../../lib/errors';
import { OtaMessageError } from '../../lib/ota/errors';
import { CardDataError } from '../../lib/payments/cardGuard';
import { PartnerError } from '../../lib/resilience/policy';

export interface ErrorDetails {
	statusCode: number;
	code: string;
	field: string | null;
}

type Described = { nodeError: NodeOperationError | NodeApiError; details: ErrorDetails };

export function describeError(node: INode, error: unknown, itemIndex?: number): Described {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return { nodeError: error, details: { statusCode: 500, code: 'error', field: null } };
	const operationError = (message: string | Error, details: ErrorDetails): Described => ({
		nodeError: new NodeOperationError(node, message, { itemIndex, description: details.field ? `Field: ${details.field}` : undefined }),
		details,
	});
	if (error instanceof CardDataError) return operationError(error.message, { statusCode: 422, code: 'card_data', field: error.field });
	if (error instanceof HotelError) return operationError(error, { statusCode: error.status, code: error.code, field: error.field ?? null });
	// Our input that cannot become a schema-valid OTA message, or a channel's message we cannot read.
	if (error instanceof OtaMessageError) {
		return operationError(error, { statusCode: error.kind === 'too_large' ? 413 : error.kind === 'invalid_input' ? 422 : 502, code: error.kind, field: error.path ?? null });
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
	return operationError(error instanceof Error ? error.message : String(error), { statusCode: 500, code: 'error', field: null });
}
