/**
 * A node parameter for one item, read without n8n's expression engine when the parameter is only
 * a path into the item, e.g. `={{ $json.body }}`, `={{ $json.query.adults ?? 1 }}` or
 * `={{ $json.reservation ?? $json }}` — what our
 * shipped workflows and our defaults hold. Anything else goes to getNodeParameter as usual.
 *
 * Why: n8n 2.41 evaluates expressions in an isolated-vm sandbox and throws each one away after use;
 * with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE (which our launcher and Docker files set) an execution
 * that evaluates no expression never builds one, and building one costs more CPU than the rest of
 * a booking-engine answer. The value is the same either way: the path is read from the same item,
 * `??` applies to undefined and null as in JavaScript, and objects are copied as the engine copies
 * them out of its sandbox.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

/** `={{ $json.a.b }}` with an optional `?? <number | 'text' | "text" | $json>`, and nothing else. */
const ITEM_PATH = /^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*)+)\s*(?:\?\?\s*(-?\d+(?:\.\d+)?|'[^'\\]*'|"[^"\\]*"|\$json))?\s*\}\}$/;

export function itemParameter(fn: IExecuteFunctions, name: string, i: number, fallback?: unknown): unknown {
	const raw = fn.getNode().parameters[name];
	const path = typeof raw === 'string' ? ITEM_PATH.exec(raw.trim()) : null;
	if (!path) return fn.getNodeParameter(name, i, fallback);
	const item: unknown = fn.getInputData()[i]?.json;
	let value = item;
	for (const key of path[1].slice(1).split('.')) {
		// A property of nothing, of a string, an array or a prototype: the engine says what that is
		// (an error, a length…), so it answers those.
		if (value === null || typeof value !== 'object' || Array.isArray(value)) return fn.getNodeParameter(name, i, fallback);
		if (!Object.hasOwn(value, key) && key in value) return fn.getNodeParameter(name, i, fallback);
		value = (value as Record<string, unknown>)[key];
	}
	if ((value === undefined || value === null) && path[2] !== undefined) value = path[2] === '$json' ? item : literal(path[2]);
	return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}

function literal(text: string): string | number {
	return text.startsWith("'") || text.startsWith('"') ? text.slice(1, -1) : Number(text);
}
