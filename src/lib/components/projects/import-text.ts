/** The import's codes (refusals, row problems, lead fields) in the user's language. */
import { m } from '$lib/paraglide/messages';

const REFUSALS: Record<string, () => string> = {
	empty: m.refusal_empty,
	not_text: m.refusal_not_text,
	legacy_xls: m.refusal_legacy_xls,
	ods: m.refusal_ods,
	unsupported_archive: m.refusal_unsupported_archive,
	corrupt_workbook: m.refusal_corrupt_workbook,
	no_sheet: m.refusal_corrupt_workbook,
	no_header: m.refusal_no_rows,
	no_rows: m.refusal_no_rows,
	no_phone_column: m.refusal_no_phone_column,
	bad_region: m.refusal_bad_region,
	too_large: m.refusal_too_large,
	no_file: m.refusal_no_file
};

export function refusalText(code: string | undefined): string {
	return (code && REFUSALS[code]?.()) || m.refusal_generic();
}

const PROBLEMS: Record<string, () => string> = {
	no_phone: m.problem_no_phone,
	bad_phone: m.problem_bad_phone,
	dnc: m.problem_dnc,
	bad_email: m.problem_bad_email,
	too_many_cells: m.problem_too_many_cells,
	too_few_cells: m.problem_too_few_cells,
	unclosed_quote: m.problem_unclosed_quote,
	ambiguous_match: m.problem_ambiguous_match
};

export function problemText(p: { code: string; column?: string; value?: string }): string {
	const text = PROBLEMS[p.code]?.() ?? p.code;
	const where = p.column ? `${p.column}: ` : '';
	return p.value ? `${where}${text} (${p.value})` : `${where}${text}`;
}

export const FIELD_LABELS: Record<string, () => string> = {
	phone: m.lead_field_phone,
	email: m.lead_field_email,
	company: m.lead_field_company,
	contact: m.lead_field_contact,
	position: m.lead_field_position,
	city: m.lead_field_city,
	industry: m.lead_field_industry,
	size: m.lead_field_size,
	website: m.lead_field_website,
	portrait: m.lead_field_portrait,
	ignore: m.lead_field_ignore
};
