/**
 * The "same company" key of the merge screen, without trigrams: lower-case, accents folded, dots and
 * apostrophes dropped ("S.A.R.L." → "sarl"), other punctuation → space, legal forms (SARL, SAS, LLC,
 * GmbH, ООО, …) removed as whole words, spaces collapsed. Two leads with the same key and the same
 * city key are probable duplicates.
 *
 * The key is computed in SQL over the whole lead base (no row leaves the database to be grouped) and
 * in JS for tests and single leads; both are built from the constants below so they cannot drift.
 */
import { sql, type SQL } from 'drizzle-orm';

/** Legal forms in FR, EN, DE, IT/ES/NL and RU, already lower-case and without dots. */
export const LEGAL_FORMS = [
	'sarl', 'sas', 'sasu', 'sa', 'eurl', 'sci', 'snc', 'selarl', 'scop', 'ei', 'eirl',
	'llc', 'llp', 'inc', 'incorporated', 'ltd', 'limited', 'corp', 'corporation', 'co', 'plc', 'lp',
	'gmbh', 'ag', 'kg', 'ug', 'ohg', 'ev',
	'srl', 'spa', 'sl', 'bv', 'nv',
	'ооо', 'оао', 'зао', 'пао', 'ао', 'ип', 'нко', 'тоо'
] as const;

/** Accented letters and what they fold to (same length: SQL `translate`). */
const ACCENTED = 'àáâãäåāçćčèéêëēęìíîïīłñńòóôõöøōùúûüūýÿžźżšśё';
const PLAIN = 'aaaaaaaccceeeeeeiiiiilnnooooooouuuuuyyzzzssе';

const FORMS = LEGAL_FORMS.join('|');
/** a legal form between spaces; the trailing space is looked at, not consumed, so "sarl sas" loses both */
const FORM_SOURCE = ` (?:${FORMS})(?= )`;

/** JS key of a company name (or a city: cities go through the same folding, minus legal forms). */
export function companyKey(name: string | null | undefined): string {
	return fold(name)
		.replace(new RegExp(FORM_SOURCE, 'gu'), '')
		.replace(/ +/g, ' ')
		.trim();
}

export function cityKey(city: string | null | undefined): string {
	return fold(city).replace(/ +/g, ' ').trim();
}

function fold(text: string | null | undefined): string {
	let out = '';
	for (const ch of (text ?? '').toLowerCase()) {
		const i = ACCENTED.indexOf(ch);
		out += i >= 0 ? PLAIN[i] : ch;
	}
	return ` ${out.replace(/[.'’]/g, '').replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
}

function foldSql(column: SQL): SQL {
	return sql`(' ' || regexp_replace(regexp_replace(translate(lower(coalesce(${column}, '')), ${ACCENTED}, ${PLAIN}), '[.''’]', '', 'g'), '[^[:alnum:]]+', ' ', 'g') || ' ')`;
}

/** SQL twin of `companyKey`. */
export function companyKeySql(column: SQL): SQL {
	return sql`btrim(regexp_replace(regexp_replace(${foldSql(column)}, ${FORM_SOURCE}, '', 'g'), ' +', ' ', 'g'))`;
}

/** SQL twin of `cityKey`. */
export function cityKeySql(column: SQL): SQL {
	return sql`btrim(regexp_replace(${foldSql(column)}, ' +', ' ', 'g'))`;
}
