/**
 * Why a whole file is refused (nothing is written) and why a single row is rejected. Each carries a
 * stable `code` the UI translates, plus an English message for logs, the CLI and the error report.
 */

export type RefusalCode =
	| 'empty'
	| 'not_text'
	| 'legacy_xls'
	| 'ods'
	| 'unsupported_archive'
	| 'corrupt_workbook'
	| 'no_sheet'
	| 'no_header'
	| 'no_rows'
	| 'no_phone_column'
	| 'bad_region'
	| 'too_large';

export class ImportRefusedError extends Error {
	constructor(
		readonly code: RefusalCode,
		message: string
	) {
		super(message);
		this.name = 'ImportRefusedError';
	}
}

export type ProblemCode =
	| 'no_phone'
	| 'bad_phone'
	| 'dnc'
	| 'bad_email'
	| 'too_many_cells'
	| 'too_few_cells'
	| 'unclosed_quote'
	| 'ambiguous_match';

/** One problem of one row: reported in the preview and in the error report. */
export interface RowProblem {
	code: ProblemCode;
	/** header of the column concerned, when there is one */
	column?: string;
	value?: string;
	/** English, for the CSV report and logs */
	message: string;
	/** true when the row is rejected because of it; false for a warning (the row is still imported) */
	fatal: boolean;
}
