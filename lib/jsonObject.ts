/**
 * A JSON parameter or item field arrives as an object (an expression, an item from a trigger) or
 * as text (typed into the node in the editor); either way it must be one object. The error names
 * the field and what it got, never the value: it may hold a guest's data, and errors are logged.
 */
import { invalid } from './errors';

/** `field` names the input for an API caller (the error's field); `label` is what the hotel sees on the node. */
export function jsonObject(value: unknown, field: string, opts: { label?: string; expected?: string } = {}): Record<string, unknown> {
	const { label = field, expected = 'a JSON object' } = opts;
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw invalid(field, `${label} is not valid JSON (${value.length} characters of text).`);
		}
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(field, `${label} must be ${expected} (got ${Array.isArray(parsed) ? 'a list' : parsed === null ? 'null' : typeof parsed}).`);
	return parsed as Record<string, unknown>;
}
