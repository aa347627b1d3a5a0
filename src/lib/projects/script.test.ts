import { describe, expect, it } from 'vitest';
import { renderScript, unknownVariables } from './script';

describe('script rendering', () => {
	it('renders markdown and fills variables with escaped values', () => {
		const html = renderScript('## Hello {{lead.contact}}\n\nWe call **{{ lead.company }}**.', {
			'lead.contact': 'Ann',
			'lead.company': '<img src=x onerror=alert(1)> & Co'
		});
		expect(html).toContain('<h2>Hello Ann</h2>');
		expect(html).toContain('<strong>&lt;img src=x onerror=alert(1)&gt; &amp; Co</strong>');
	});

	it('shows raw HTML as text and drops javascript: links and images', () => {
		const html = renderScript('<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.com) ![p](https://t.example/p.png)');
		expect(html).not.toContain('<script>');
		expect(html).toContain('&lt;script&gt;');
		expect(html).not.toContain('javascript:');
		expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer" target="_blank">ok</a>');
		expect(html).not.toContain('<img');
	});

	it('marks missing values and lists unknown variables', () => {
		expect(renderScript('Hi {{lead.city}}')).toContain('<mark class=var>lead.city</mark>');
		expect(unknownVariables('{{lead.company}} {{lead.colour}}')).toEqual(['lead.colour']);
	});
});
