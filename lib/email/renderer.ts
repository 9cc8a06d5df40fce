/**
 * The e-mail template language, kept deliberately tiny:
 *
 *   {{ guest.name }}                      a value (HTML-escaped in the HTML part)
 *   {{#hotel.logoUrl}} … {{/hotel.logoUrl}}   the block only if the value is not empty (nor 0)
 *   {{^guest.name}} … {{/guest.name}}     the block only if the value is empty
 *
 * Nothing else: no raw output, no helpers, no partials, no code. Templates are edited by the hotel
 * in the node, so the language must not offer a way around escaping (Handlebars' and Mustache's
 * `{{{ }}}` / `{{& }}` do; they are also only transitive dev dependencies here, not runtime ones).
 *
 * Every placeholder must name a known variable; unknown ones are reported together, by name. In
 * HTML, the position of each placeholder is checked as well: a value may go into text or a quoted
 * attribute, a URL attribute (href, src, …) only takes an http(s) URL (or mailto:/tel: for
 * links), and a placeholder inside <script>/<style>, an on…= handler, a style attribute or an
 * unquoted attribute is refused, since escaping cannot make a value safe there.
 */
import { HotelError } from '../errors';

export type TemplatePart = 'subject' | 'html' | 'text';

/** Flat variables: 'guest.name' → 'Zoë'. Values are plain strings (numbers already formatted). */
export type TemplateValues = Record<string, string>;

/** A template that cannot be rendered; `field` names the node field at fault (e.g. templateOverrides.html). */
export class TemplateError extends HotelError {
	constructor(message: string, field: string) {
		super('invalid', message, field);
		this.name = 'TemplateError';
	}
}

type Token =
	| { kind: 'text'; text: string }
	| { kind: 'var'; name: string; context: HtmlContext }
	| { kind: 'section'; name: string; inverted: boolean; children: Token[] };

type HtmlContext = 'text' | 'attribute' | 'url' | 'link';

const TAG = /\{\{\s*([#^/]?)\s*([^{}]*?)\s*\}\}/g;
const NAME = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** Renders one part. `known` lists the variables this template may use; `field` names the source in errors. */
export function renderTemplate(source: string, part: TemplatePart, values: TemplateValues, known: ReadonlySet<string>, field: string): string {
	const tokens = parse(source, part, known, field);
	const out = emit(tokens, part, values, field);
	// A subject is one header line: no line breaks, whatever the values hold.
	return part === 'subject' ? out.replace(/\s+/g, ' ').trim() : out;
}

function parse(source: string, part: TemplatePart, known: ReadonlySet<string>, field: string): Token[] {
	const root: Token[] = [];
	const stack: Array<{ name: string; children: Token[] }> = [];
	const unknown = new Set<string>();
	let current = root;
	let last = 0;
	for (const match of source.matchAll(TAG)) {
		const [whole, sigil, name] = match;
		const at = match.index ?? 0;
		if (at > last) current.push({ kind: 'text', text: source.slice(last, at) });
		last = at + whole.length;
		if (!NAME.test(name)) throw new TemplateError(`"${whole}" in the ${part} template is not a placeholder: use {{name}}, e.g. {{guest.name}}.`, field);
		if (!known.has(name)) unknown.add(name);
		if (sigil === '/') {
			const open = stack.pop();
			if (!open || open.name !== name) throw new TemplateError(`{{/${name}}} in the ${part} template closes ${open ? `{{#${open.name}}}` : 'nothing'}.`, field);
			current = stack.length ? stack[stack.length - 1].children : root;
			continue;
		}
		if (sigil === '#' || sigil === '^') {
			const section: Token = { kind: 'section', name, inverted: sigil === '^', children: [] };
			current.push(section);
			stack.push({ name, children: section.children });
			current = section.children;
			continue;
		}
		current.push({ kind: 'var', name, context: part === 'html' ? htmlContextAt(source, at, whole, field) : 'text' });
	}
	const rest = source.slice(last);
	// A lone "{{" would otherwise go out to the guest as literal text.
	if (rest.includes('{{')) throw new TemplateError(`The ${part} template has a "{{" without a closing "}}".`, field);
	if (rest) current.push({ kind: 'text', text: rest });
	if (stack.length) throw new TemplateError(`{{#${stack[stack.length - 1].name}}} in the ${part} template is never closed with {{/${stack[stack.length - 1].name}}}.`, field);
	if (unknown.size) {
		const names = [...unknown].map((n) => `{{${n}}}`).join(', ');
		throw new TemplateError(`Unknown placeholder${unknown.size > 1 ? 's' : ''} in the ${part} template: ${names}. Known: ${[...known].sort().join(', ')}.`, field);
	}
	return root;
}

function emit(tokens: Token[], part: TemplatePart, values: TemplateValues, field: string): string {
	let out = '';
	for (const token of tokens) {
		if (token.kind === 'text') out += token.text;
		else if (token.kind === 'section') {
			if (isPresent(values[token.name]) !== token.inverted) out += emit(token.children, part, values, field);
		} else out += part === 'html' ? htmlValue(token.name, values[token.name] ?? '', token.context, field) : (values[token.name] ?? '');
	}
	return out;
}

function isPresent(value: string | undefined): boolean {
	return value !== undefined && value !== '' && value !== '0';
}

export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** True for an absolute http(s) URL, the only kind an image or a link may point to. */
export function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}

function htmlValue(name: string, value: string, context: HtmlContext, field: string): string {
	if (value !== '' && (context === 'url' || context === 'link')) {
		const allowed = isHttpUrl(value) || (context === 'link' && /^(mailto|tel):[^\s]+$/i.test(value));
		if (!allowed) throw new TemplateError(`{{${name}}} is used as a URL in the HTML template, but its value is not an http(s) URL; it was refused.`, field);
	}
	return escapeHtml(value);
}

const URL_ATTRIBUTES = new Set(['src', 'srcset', 'background', 'poster', 'action', 'formaction', 'cite', 'data', 'xlink:href', 'longdesc']);

/**
 * Where in the HTML a placeholder stands, judged from the template text before it. Templates are
 * ordinary e-mail HTML; this does not try to be a full HTML parser, only to recognise the places
 * where escaping is not enough and to refuse them.
 */
function htmlContextAt(source: string, at: number, placeholder: string, field: string): HtmlContext {
	const before = source.slice(0, at);
	const refuse = (where: string) => {
		throw new TemplateError(`${placeholder} stands ${where} in the HTML template, where a value cannot be made safe; move it into text or a quoted attribute.`, field);
	};
	const lower = before.toLowerCase();
	for (const element of ['script', 'style']) {
		if (lower.lastIndexOf(`<${element}`) > lower.lastIndexOf(`</${element}`)) refuse(`inside a <${element}> element`);
	}
	const tagStart = before.lastIndexOf('<');
	if (tagStart <= before.lastIndexOf('>')) return 'text';
	const inTag = before.slice(tagStart);
	const quoted = /([^\s"'=<>/]+)\s*=\s*"([^"]*)$/.exec(inTag) ?? /([^\s"'=<>/]+)\s*=\s*'([^']*)$/.exec(inTag);
	if (!quoted) return refuse(/=\s*$/.test(inTag) ? 'in an unquoted attribute' : 'inside a tag, outside any attribute value');
	const attribute = quoted[1].toLowerCase();
	if (attribute.startsWith('on')) refuse(`in the ${attribute} event handler`);
	if (attribute === 'style') refuse('in a style attribute');
	// Only a placeholder that starts the value decides the URL's scheme ("mailto:{{hotel.email}}" is fine).
	if (quoted[2].trim() !== '') return 'attribute';
	if (attribute === 'href') return 'link';
	return URL_ATTRIBUTES.has(attribute) ? 'url' : 'attribute';
}
