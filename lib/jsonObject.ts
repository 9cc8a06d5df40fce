/**
 * A JSON parameter or item field arrives as an object (an expression, an item from a trigger) or
 * as text (typed into the node in the editor); either way it must be one object. The error names
 * the field and, for text that is not JSON, shows its start so the hotel can find it.
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
			throw invalid(field, `${label} is not valid JSON: ${value.slice(0, 80)}`);
		}
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(field, `${label} must be ${expected} (got ${JSON.stringify(parsed)?.slice(0, 80)}).`);
	return parsed as Record<string, unknown>;
}
