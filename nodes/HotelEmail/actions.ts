/**
 * The Hotel Email node's operations. All three render the same way (lib/email/compose.ts), so a
 * Preview shows exactly what Send Now and Enqueue would send; both sending operations go through
 * the outbox, which makes every e-mail sent-once.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { composeEmail } from '../../lib/email/compose';
import { sendNow } from '../../lib/email/delivery';
import type { EmailOutbox, NewEmail, OutboxMessage } from '../../lib/email/outbox';
import type { SmtpSender } from '../../lib/email/smtpTransport';
import { isTemplateKind, topicOf, type TemplateOverrides } from '../../lib/email/templates';
import { invalid } from '../../lib/errors';
import type { BatchOperation } from '../shared/runOperations';
import type { HotelDetails } from '../shared/hotelDetails';
import { str } from '../shared/parameters';

export interface ActionContext {
	fn: IExecuteFunctions;
	i: number;
	/** From the Hotel Details credential, when the node uses it; else the node's own fields. */
	details?: HotelDetails;
	outbox: () => Promise<EmailOutbox>;
	sender: () => Promise<SmtpSender>;
}

type Action = (ctx: ActionContext) => Promise<IDataObject>;

function compose(ctx: ActionContext, recipientOptional = false): NewEmail {
	const template = str(ctx, 'template');
	if (!isTemplateKind(template)) throw invalid('template', `Unknown template "${template}".`);
	const options = ctx.fn.getNodeParameter('options', ctx.i, {}) as IDataObject;
	return composeEmail({
		template,
		hotel: ctx.details ?? { name: str(ctx, 'hotelName'), logoUrl: str(ctx, 'logoUrl'), phone: str(ctx, 'hotelPhone'), email: str(ctx, 'hotelEmail'), address: str(ctx, 'hotelAddress') },
		// The source parameter is named after what the template is about: reservation, payment or alert.
		source: ctx.fn.getNodeParameter(topicOf(template), ctx.i, {}),
		to: ctx.fn.getNodeParameter('to', ctx.i, ''),
		overrides: ctx.fn.getNodeParameter('templateOverrides', ctx.i, {}) as TemplateOverrides,
		dedupeKey: typeof options.dedupeKey === 'string' ? options.dedupeKey : undefined,
		recipientOptional,
	});
}

/** The output every operation shares: what was done to which e-mail. */
function outcome(status: string, email: NewEmail, row?: OutboxMessage): IDataObject {
	return {
		status,
		outboxId: row?.id ?? null,
		messageId: email.messageId,
		to: row?.to ?? email.to,
		template: email.template,
		dedupeKey: email.dedupeKey,
		reservationId: email.reservationId,
	};
}

export const actions: Record<string, Action> = {
	async 'email.preview'(ctx) {
		const email = compose(ctx, true);
		return { ...outcome('preview', email), subject: email.subject, html: email.html, text: email.text };
	},

	async 'email.enqueue'(ctx) {
		const enqueue = batches['email.enqueue'];
		const [done] = await enqueue.commit([enqueue.prepare(ctx)], ctx);
		return done;
	},

	async 'email.sendNow'(ctx) {
		const email = compose(ctx);
		const result = await sendNow(await ctx.outbox(), await ctx.sender(), email);
		return { ...outcome(result.status, email, result.message), ...(result.status === 'sent' ? { response: result.response } : {}) };
	},
};

/**
 * Enqueue for all items of an execution at once: each e-mail is composed on its own, then all are
 * written to the outbox in one statement.
 */
export const batches = {
	'email.enqueue': {
		prepare: (ctx) => compose(ctx),
		async commit(emails, ctx) {
			const enqueued = await (await ctx.outbox()).enqueueMany(emails);
			return enqueued.map(({ outcome: result, message }, n) => ({ ...outcome(result, emails[n], message), outboxStatus: message.status }));
		},
	} satisfies BatchOperation<ActionContext, NewEmail>,
};
