/**
 * Webhook lifecycle for triggers whose URL is not registered by n8n through an API: Stripe's
 * endpoints are added in Stripe's dashboard, the booking-engine API lives in n8n itself. n8n still
 * calls these on activation; there is nothing to check, create or delete.
 */
import type { IHookFunctions } from 'n8n-workflow';

export const noRegistration = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			return true;
		},
	},
};
