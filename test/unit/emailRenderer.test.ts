/**
 * The template language on its own: values, blocks, escaping in text and attributes, and the
 * places in HTML where a value is refused because escaping cannot make it safe.
 */
import { escapeHtml, renderTemplate, TemplateError, type TemplatePart } from '../../lib/email/renderer';
import { thrownBy } from '../support/thrown';

const known = new Set(['guest.name', 'hotel.logoUrl', 'hotel.name', 'reservation.children', 'link']);
const render = (source: string, values: Record<string, string>, part: TemplatePart = 'html') => renderTemplate(source, part, values, known, 'templateOverrides.html');
const failure = (fn: () => unknown): TemplateError => thrownBy(fn, TemplateError);

it('fills placeholders, with or without spaces inside the braces', () => {
	expect(render('Dear {{guest.name}}, welcome to {{ hotel.name }}.', { 'guest.name': 'Zoë', 'hotel.name': 'Seeblick' })).toBe('Dear Zoë, welcome to Seeblick.');
});

it('renders a block only when its value is set (0 and empty count as unset), and an inverted block only when not', () => {
	const source = '{{#reservation.children}}{{reservation.children}} children{{/reservation.children}}{{^reservation.children}}no children{{/reservation.children}}';
	expect(render(source, { 'reservation.children': '2' })).toBe('2 children');
	expect(render(source, { 'reservation.children': '0' })).toBe('no children');
	expect(render(source, { 'reservation.children': '' })).toBe('no children');
	expect(render('{{#guest.name}}[{{#hotel.name}}{{hotel.name}}{{/hotel.name}}]{{/guest.name}}', { 'guest.name': 'x', 'hotel.name': 'H' })).toBe('[H]');
});

it('escapes every value in HTML, including quotes and ampersands', () => {
	expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
	expect(render('<p>{{guest.name}}</p>', { 'guest.name': '<script>alert(1)</script>' })).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
	expect(render('<img alt="{{guest.name}}">', { 'guest.name': '" onerror="alert(1)' })).toBe('<img alt="&quot; onerror=&quot;alert(1)">');
	expect(render("<img alt='{{guest.name}}'>", { 'guest.name': "' onerror='alert(1)" })).toBe("<img alt='&#39; onerror=&#39;alert(1)'>");
});

it('leaves values as they are in the text part, and keeps a subject on one line', () => {
	expect(render('Dear {{guest.name}}', { 'guest.name': 'Tom & <Jerry>' }, 'text')).toBe('Dear Tom & <Jerry>');
	expect(render('Booking for {{guest.name}}', { 'guest.name': 'Eve\r\nBcc: victim@example.com' }, 'subject')).toBe('Booking for Eve Bcc: victim@example.com');
});

it('accepts only http(s) URLs where a placeholder starts a URL attribute', () => {
	expect(render('<img src="{{hotel.logoUrl}}">', { 'hotel.logoUrl': 'https://hotel.example/logo.png?a=1&b=2' })).toBe('<img src="https://hotel.example/logo.png?a=1&amp;b=2">');
	expect(render('<img src="{{hotel.logoUrl}}">', { 'hotel.logoUrl': '' })).toBe('<img src="">');
	for (const bad of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'vbscript:x', '//evil.example/x']) {
		const error = failure(() => render('<img src="{{hotel.logoUrl}}">', { 'hotel.logoUrl': bad }));
		expect(error).toBeInstanceOf(TemplateError);
		expect(error.message).toContain('{{hotel.logoUrl}}');
		expect(error.field).toBe('templateOverrides.html');
	}
	// Links also take mailto: and tel:; a fixed scheme before the placeholder decides by itself.
	expect(render('<a href="{{link}}">x</a>', { link: 'mailto:desk@hotel.example' })).toBe('<a href="mailto:desk@hotel.example">x</a>');
	expect(failure(() => render('<a href="{{link}}">x</a>', { link: 'javascript:alert(1)' })).message).toMatch(/not an http\(s\) URL/);
	expect(render('<a href="mailto:{{link}}">x</a>', { link: 'javascript:alert(1)' })).toBe('<a href="mailto:javascript:alert(1)">x</a>');
});

it('refuses placeholders where escaping is not enough: script, style, event handlers, unquoted attributes, bare tags', () => {
	const places = [
		'<script>var n = "{{guest.name}}";</script>',
		'<style>p { color: {{guest.name}} }</style>',
		'<img src="x" onerror="{{guest.name}}">',
		'<p style="color: {{guest.name}}">x</p>',
		'<img alt={{guest.name}}>',
		'<img {{guest.name}}>',
	];
	for (const source of places) {
		const error = failure(() => render(source, { 'guest.name': 'x' }));
		expect(error).toBeInstanceOf(TemplateError);
		expect(error.message).toContain('{{guest.name}}');
	}
	// After a closed script element, text is text again.
	expect(render('<script>1</script><p>{{guest.name}}</p>', { 'guest.name': '<b>' })).toBe('<script>1</script><p>&lt;b&gt;</p>');
});

it('names every unknown placeholder at once, and the field it is in', () => {
	const error = failure(() => render('{{guest.nam}} {{hotel.name}} {{reservation.total}} {{guest.nam}}', {}));
	expect(error).toBeInstanceOf(TemplateError);
	expect(error.message).toContain('Unknown placeholders in the html template: {{guest.nam}}, {{reservation.total}}.');
	expect(error.message).toContain('Known: ');
	expect(error.field).toBe('templateOverrides.html');
	expect(failure(() => render('{{#nope}}x{{/nope}}', {})).message).toContain('{{nope}}');
});

it('reports malformed templates clearly', () => {
	expect(failure(() => render('{{#guest.name}}x', {})).message).toMatch(/never closed/);
	expect(failure(() => render('{{#guest.name}}x{{/hotel.name}}', {})).message).toMatch(/closes \{\{#guest.name\}\}/);
	expect(failure(() => render('x{{/guest.name}}', {})).message).toMatch(/closes nothing/);
	expect(failure(() => render('Hello {{guest.name', {})).message).toMatch(/without a closing/);
	expect(failure(() => render('{{ $json.guest }}', {})).message).toMatch(/is not a placeholder/);
	expect(failure(() => render('{{guest.name | upper}}', {})).message).toMatch(/is not a placeholder/);
});
