/**
 * The wall-board's grid in numbers: a tile's size and the gap between tiles (as AgentTile and the
 * walls lay them out), how many columns a width holds (what CSS `auto-fill` does), and which rows
 * of a long wall are on screen. Pure, shared by /floor (which renders only the rows on screen) and
 * the TV pages.
 */
export const TILE_W = 196;
export const TILE_H = 88;
export const GAP = 6;
export const ROW_H = TILE_H + GAP;

/** columns of `grid-template-columns: repeat(auto-fill, minmax(TILE_W, 1fr))` in `width` px */
export function wallColumns(width: number): number {
	return Math.max(1, Math.floor((width + GAP) / (TILE_W + GAP)));
}

/** rows of tiles that fit `height` px whole */
export function wallRows(height: number): number {
	return Math.max(1, Math.floor((height + GAP) / ROW_H));
}

export interface RowRange {
	/** first row rendered */
	first: number;
	/** one past the last row rendered */
	end: number;
}

/**
 * The rows to render: those that intersect the viewport, plus `overscan` rows either side so a
 * scroll shows tiles already there. `wallTop` is the wall's top relative to the viewport (negative
 * once scrolled past), `viewport` the viewport's height, `rows` the wall's row count.
 */
export function rowsOnScreen(wallTop: number, viewport: number, rows: number, overscan: number): RowRange {
	const first = Math.max(0, Math.floor(-wallTop / ROW_H) - overscan);
	const end = Math.min(rows, Math.max(0, Math.ceil((viewport - wallTop) / ROW_H)) + overscan);
	return { first: Math.min(first, end), end };
}
