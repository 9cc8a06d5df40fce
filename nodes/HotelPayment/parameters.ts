/** Reading one item's parameters, trimmed, for every gateway's actions. */
import type { ActionContext } from './actions';

export const str = (ctx: ActionContext, name: string, fallback = '') => String(ctx.fn.getNodeParameter(name, ctx.i, fallback) ?? '').trim();
export const num = (ctx: ActionContext, name: string) => Number(ctx.fn.getNodeParameter(name, ctx.i, 0));
