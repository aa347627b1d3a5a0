/**
 * Incremental CSV/TSV reader: text arrives in chunks of any size, records come out with the line
 * they start on. Our own loop instead of papaparse so a 1M-row file streams (papaparse's cursor,
 * which gave us line numbers, only works on a whole string) and so line numbers are exact across
 * chunks. Reading rules as in papaparse: a quote opens a quoted cell only as the first character of
 * the cell, `""` inside it is one quote, a quote elsewhere is a plain character; CRLF, LF or CR end
 * a record. A quote never closed runs to the end of the file and flags the record.
 */
export interface CsvRecord {
	/** 1-based line the record starts on */
	line: number;
	cells: string[];
	/** the last cell runs to the end of the file because its quote was never closed */
	unclosedQuote?: boolean;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvReader {
	private readonly delimiter: number;
	private cells: string[] = [];
	private field = '';
	/** nothing of the current cell read yet: a quote here opens a quoted cell */
	private atCellStart = true;
	private quoted = false;
	/** inside a quoted cell, the previous character was a quote: `""` or the end of the cell */
	private quotePending = false;
	/** a record ended on CR at the end of a chunk: a LF opening the next chunk belongs to it */
	private skipLf = false;
	private line = 1;
	private recordLine = 1;

	constructor(delimiter: string) {
		if (delimiter.length !== 1) throw new Error(`a delimiter is one character, not "${delimiter}"`);
		this.delimiter = delimiter.charCodeAt(0);
	}

	/** Reads one chunk; returns the records it completed. */
	push(text: string): CsvRecord[] {
		const out: CsvRecord[] = [];
		const n = text.length;
		let i = 0;
		if (this.skipLf && n > 0) {
			if (text.charCodeAt(0) === LF) i = 1;
			this.skipLf = false;
		}
		while (i < n) {
			if (this.quoted) {
				if (this.quotePending) {
					this.quotePending = false;
					if (text.charCodeAt(i) === QUOTE) {
						this.field += '"';
						i++;
						continue;
					}
					// the quote closed the cell; what follows is read as unquoted text
					this.quoted = false;
					continue;
				}
				const q = text.indexOf('"', i);
				const stop = q < 0 ? n : q;
				this.countLines(text, i, stop);
				this.field += text.slice(i, stop);
				if (q < 0) return out;
				this.quotePending = true;
				i = q + 1;
				continue;
			}
			if (this.atCellStart && text.charCodeAt(i) === QUOTE) {
				this.quoted = true;
				this.atCellStart = false;
				i++;
				continue;
			}
			let j = i;
			const d = this.delimiter;
			while (j < n) {
				const c = text.charCodeAt(j);
				if (c === d || c === LF || c === CR) break;
				j++;
			}
			if (j > i) {
				this.field += text.slice(i, j);
				this.atCellStart = false;
			}
			if (j === n) return out;
			const c = text.charCodeAt(j);
			this.endCell();
			i = j + 1;
			if (c === d) continue;
			if (c === CR) {
				if (i < n) {
					if (text.charCodeAt(i) === LF) i++;
				} else this.skipLf = true;
			}
			this.endRecord(out, false);
			this.line++;
			this.recordLine = this.line;
		}
		return out;
	}

	/** End of input: the last record, if the file does not end with a line break. */
	end(): CsvRecord[] {
		const out: CsvRecord[] = [];
		const unclosed = this.quoted && !this.quotePending;
		if (this.cells.length > 0 || this.field !== '' || this.quoted) {
			this.endCell();
			this.endRecord(out, unclosed);
		}
		this.quoted = false;
		this.quotePending = false;
		return out;
	}

	private countLines(text: string, from: number, to: number): void {
		let k = text.indexOf('\n', from);
		while (k >= 0 && k < to) {
			this.line++;
			k = text.indexOf('\n', k + 1);
		}
	}

	private endCell(): void {
		this.cells.push(this.field);
		this.field = '';
		this.atCellStart = true;
		this.quoted = false;
		this.quotePending = false;
	}

	private endRecord(out: CsvRecord[], unclosedQuote: boolean): void {
		const cells = this.cells;
		this.cells = [];
		if (!cells.some((c) => c.trim() !== '')) return;
		out.push(unclosedQuote ? { line: this.recordLine, cells, unclosedQuote } : { line: this.recordLine, cells });
	}
}
