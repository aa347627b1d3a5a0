/**
 * Window virtualisation of the wall-board: of 2,000 tiles only the rows on screen (and a few
 * either side) exist in the DOM; the wall keeps its full height so the page scrolls as if all
 * were there. A frame with hundreds of agent changes then reconciles and restyles a couple of
 * hundred tiles, and a snapshot reload builds those instead of 2,000. The range follows window
 * scroll and resize and any change of the page's size (panels above the wall growing); it is two
 * numbers, so a scroll within a row changes nothing.
 */
import type { Attachment } from 'svelte/attachments';
import { ROW_H, GAP, rowsOnScreen, wallColumns } from './wall-geometry';

/** rows rendered beyond each edge of the viewport */
const OVERSCAN = 3;
/** before the first measurement (and on the server): a generous screenful */
const GUESS = { cols: 8, rows: 16 };

export class WallWindow {
	#cols = $state(GUESS.cols);
	#first = $state(0);
	#end = $state(GUESS.rows);
	readonly #count: () => number;

	/** `count`: how many tiles the wall holds */
	constructor(count: () => number) {
		this.#count = count;
	}

	get cols(): number {
		return this.#cols;
	}
	/** index of the first tile rendered */
	get start(): number {
		return this.#first * this.#cols;
	}
	/** one past the last tile rendered */
	get stop(): number {
		return this.#end * this.#cols;
	}
	/** the full wall's height, px */
	get height(): number {
		const rows = Math.ceil(this.#count() / this.#cols);
		return rows > 0 ? rows * ROW_H - GAP : 0;
	}
	/** the space above the first rendered row, px */
	get offset(): number {
		return this.#first * ROW_H;
	}

	/** On the wall element: measures it now and whenever the window or the page changes. */
	readonly attach: Attachment<HTMLElement> = (wall) => {
		let frame = 0;
		const measure = () => {
			frame = 0;
			const rect = wall.getBoundingClientRect();
			const cols = wallColumns(rect.width);
			const rows = Math.ceil(this.#count() / cols);
			const range = rowsOnScreen(rect.top, window.innerHeight, rows, OVERSCAN);
			// primitives: unchanged values notify nobody
			this.#cols = cols;
			this.#first = range.first;
			this.#end = range.end;
		};
		const later = () => {
			frame ||= requestAnimationFrame(measure);
		};
		// in the next frame, not now: a layout read while the wall mounts would force a synchronous layout
		later();
		window.addEventListener('scroll', later, { passive: true });
		window.addEventListener('resize', later);
		const resize = new ResizeObserver(later);
		resize.observe(wall);
		resize.observe(document.documentElement);
		return () => {
			cancelAnimationFrame(frame);
			window.removeEventListener('scroll', later);
			window.removeEventListener('resize', later);
			resize.disconnect();
		};
	};
}
