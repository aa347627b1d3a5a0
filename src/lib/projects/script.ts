/**
 * Call scripts and info letters: markdown with `{{lead.company}}`-style variables. Rendered the
 * same way in the editor's live preview and on the agent's screen. Raw HTML in the markdown is
 * shown as text, links only keep http(s)/mailto/tel targets, and variable values are escaped:
 * lead data from an imported file can never inject markup.
 */
import { Marked, type Tokens } from 'marked';

export const SCRIPT_VARIABLES = [
	'lead.company',
	'lead.contact',
	'lead.position',
	'lead.city',
	'lead.phone',
	'lead.email',
	'agent.name',
	'project.name'
] as const;
export type ScriptVariable = (typeof SCRIPT_VARIABLES)[number];
export type ScriptValues = Partial<Record<ScriptVariable, string | null>>;

/** Values the preview fills in. */
export const SAMPLE_VALUES: ScriptValues = {
	'lead.company': 'Imprimerie Lefèvre',
	'lead.contact': 'Loïc Chévrier',
	'lead.position': 'Gérant',
	'lead.city': 'Marseille',
	'lead.phone': '+33 4 67 85 95 34',
	'lead.email': 'contact@example.fr',
	'agent.name': 'Alex',
	'project.name': 'Demo'
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const SAFE_URL = /^(https?:|mailto:|tel:|\/|#)/i;

const markdown = new Marked({
	gfm: true,
	breaks: true,
	renderer: {
		html({ text }: Tokens.HTML | Tokens.Tag) {
			return escapeHtml(text);
		},
		link({ href, title, tokens }: Tokens.Link) {
			const text = this.parser.parseInline(tokens);
			if (!SAFE_URL.test(href.trim())) return text;
			const t = title ? ` title="${escapeHtml(title)}"` : '';
			return `<a href="${escapeHtml(href)}"${t} rel="noopener noreferrer" target="_blank">${text}</a>`;
		},
		image({ text }: Tokens.Image) {
			// no remote images in a script: they would leak who reads it, and when
			return escapeHtml(text);
		}
	}
});

const VARIABLE = /\{\{\s*([a-z]+\.[a-z_]+)\s*\}\}/g;

/** Markdown → safe HTML, variables replaced by escaped values (unknown or empty ones stay visible as a marker). */
export function renderScript(source: string, values: ScriptValues = {}): string {
	const html = markdown.parse(source, { async: false });
	return html.replace(VARIABLE, (_, name: string) => {
		const value = (values as Record<string, string | null | undefined>)[name];
		if (value) return escapeHtml(value);
		return `<mark class=var>${escapeHtml(name)}</mark>`;
	});
}

/** Plain text (letter subjects): variables replaced, nothing rendered. */
export function fillVariables(source: string, values: ScriptValues = {}): string {
	return source.replace(VARIABLE, (whole, name: string) => (values as Record<string, string | null | undefined>)[name] ?? whole);
}

/** Variables used in a text that the app does not know: shown as a warning next to the editor. */
export function unknownVariables(source: string): string[] {
	const known = new Set<string>(SCRIPT_VARIABLES);
	return [...new Set([...source.matchAll(VARIABLE)].map((m) => m[1]!))].filter((v) => !known.has(v));
}
