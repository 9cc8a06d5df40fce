/**
 * Reading one item's parameters, and showing parameters per operation: the small helpers every
 * action node uses, written once. Values go through itemParameter, so a parameter that is only a
 * path into the item (what the shipped workflows hold) costs no expression sandbox.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { itemParameter } from './itemParameter';

/** What every action's context has: the node's functions and the item's index. */
export interface ItemContext {
	fn: IExecuteFunctions;
	i: number;
}

export const param = (ctx: ItemContext, name: string, fallback: unknown = '') => itemParameter(ctx.fn, name, ctx.i, fallback);

/** Text, trimmed; empty when unset. */
export const str = (ctx: ItemContext, name: string, fallback = '') => String(param(ctx, name, fallback) ?? '').trim();

export const num = (ctx: ItemContext, name: string, fallback = 0) => Number(param(ctx, name, fallback));

/** A number, or undefined when the parameter is empty. */
export const optNum = (ctx: ItemContext, name: string) => {
	const v = param(ctx, name, undefined);
	return v === undefined || v === '' || v === null ? undefined : Number(v);
};

/** displayOptions that show a parameter for some operations of one resource (and more conditions). */
export const show = (resource: string, operation: string[], more: Record<string, string[]> = {}) => ({ show: { resource: [resource], operation, ...more } });
