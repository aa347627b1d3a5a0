/**
 * Which row is the header, and which lead field each column feeds — from header names in
 * English, French and Russian. Pure functions: the wizard shows the result and lets the manager override it.
 */

export const LEAD_FIELDS = [
	'phone',
	'email',
	'company',
	'contact',
	'position',
	'city',
	'industry',
	'size',
	'website',
	'portrait',
	'ignore'
] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];
/** column index (as a string, JSON-friendly) → field */
export type ColumnMapping = Record<string, LeadField>;

/** lower-case, accents and punctuation removed, single spaces: "Tél. portable" → "tel portable" */
export function normalizeHeader(s: string): string {
	return s
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}]+/gu, ' ')
		.trim();
}

/**
 * Header prefixes per field, tried in this order (e-mail before phone: "e-mail" contains "mail").
 * Written naturally and normalised like the headers; a prefix matches whole words only.
 */
const WORDS: [LeadField, string[]][] = [
	['email', ['e-mail', 'email', 'mail', 'courriel', 'adresse e-mail', 'adresse électronique', 'adresse courriel', 'эл. почта', 'электронная почта', 'почта', 'e-mail адрес']],
	['phone', ['tel', 'tél.', 'tele', 'téléphone', 'phone', 'phone number', 'mobile', 'mobile phone', 'cell', 'cell phone', 'portable', 'gsm', 'numéro', 'fixe', 'standard', 'телефон', 'тел.', 'моб. телефон', 'мобильный', 'сотовый', 'номер телефона']],
	['company', ['company', 'company name', 'organisation', 'organization', 'account', 'account name', 'business', 'firm', 'société', 'raison sociale', 'entreprise', 'nom de la société', "nom de l'entreprise", 'établissement', 'компания', 'организация', 'наименование', 'название', 'фирма', 'предприятие', 'юр. лицо']],
	['contact', ['contact', 'contact name', 'name', 'full name', 'person', 'nom', 'nom complet', 'interlocuteur', 'nom prénom', 'prénom nom', 'фио', 'контакт', 'контактное лицо', 'имя']],
	['position', ['title', 'job title', 'position', 'role', 'fonction', 'poste', 'titre', 'должность']],
	['city', ['city', 'town', 'ville', 'commune', 'localité', 'город', 'населённый пункт']],
	['industry', ['industry', 'sector', 'secteur', 'activité', "secteur d'activité", 'naf', 'отрасль', 'сфера', 'вид деятельности']],
	['size', ['size', 'employees', 'headcount', 'effectif', 'taille', 'численность', 'сотрудники', 'штат']],
	['website', ['website', 'web', 'site', 'site web', 'url', 'www', 'сайт', 'веб-сайт']]
];

/** A header that merely contains one of these words is a phone column ("Direct phone", "Рабочий телефон"). */
const PHONE_ANYWHERE = /(?:^| )(?:phone|telephone|телефон|tel)(?: |$)/;

const RULES: [LeadField, RegExp][] = WORDS.map(([field, words]) => {
	const alternatives = [...new Set(words.map(normalizeHeader))].sort((a, b) => b.length - a.length);
	return [field, new RegExp(`^(?:${alternatives.join('|')})(?: |$)`)];
});

export function fieldForHeader(header: string): LeadField | null {
	const h = normalizeHeader(header);
	if (!h) return null;
	for (const [field, re] of RULES) {
		if (re.test(h)) return field;
		// after the e-mail rule: "Contact phone" is a phone, not a contact name
		if (field === 'email' && PHONE_ANYWHERE.test(h)) return 'phone';
	}
	return null;
}

/** The first row among the first 30 that names the most known fields (at least one phone column). */
export function detectHeaderRow(rows: { cells: string[] }[]): number {
	let best = -1;
	let bestScore = 0;
	for (let i = 0; i < Math.min(rows.length, 30); i++) {
		const fields = rows[i]!.cells.map(fieldForHeader);
		if (!fields.includes('phone')) continue;
		const score = fields.filter((f) => f !== null).length;
		if (score > bestScore) {
			best = i;
			bestScore = score;
		}
	}
	if (best >= 0) return best;
	// No recognisable header: the first row with as many cells as the widest of the next rows.
	const width = Math.max(0, ...rows.slice(0, 30).map((r) => r.cells.filter((c) => c.trim() !== '').length));
	return Math.max(
		0,
		rows.findIndex((r) => r.cells.filter((c) => c.trim() !== '').length === width)
	);
}

/** Known headers map to their field, the rest go to the lead's portrait (kept, searchable, shown to the agent). */
export function autoMap(header: string[]): ColumnMapping {
	const mapping: ColumnMapping = {};
	const single = new Set<LeadField>();
	header.forEach((h, i) => {
		let field = fieldForHeader(h);
		// one column per scalar field: a second "Company" column goes to the portrait
		if (field && field !== 'phone' && field !== 'email') {
			if (single.has(field)) field = 'portrait';
			else single.add(field);
		}
		mapping[String(i)] = field ?? (h.trim() === '' ? 'ignore' : 'portrait');
	});
	return mapping;
}

export function parseMapping(value: unknown, width: number): ColumnMapping | null {
	if (!value || typeof value !== 'object') return null;
	const out: ColumnMapping = {};
	for (let i = 0; i < width; i++) {
		const f = (value as Record<string, unknown>)[String(i)];
		out[String(i)] = (LEAD_FIELDS as readonly string[]).includes(String(f)) ? (f as LeadField) : 'ignore';
	}
	return out;
}
