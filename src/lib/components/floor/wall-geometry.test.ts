import { describe, expect, it } from 'vitest';
import { ROW_H, rowsOnScreen, wallColumns, wallRows } from './wall-geometry';

describe('wall geometry', () => {
	it('counts columns as CSS auto-fill of 196 px tiles with 6 px gaps does', () => {
		expect(wallColumns(100)).toBe(1);
		expect(wallColumns(196)).toBe(1);
		expect(wallColumns(397)).toBe(1);
		expect(wallColumns(398)).toBe(2);
		expect(wallColumns(1880)).toBe(9);
		expect(wallRows(900)).toBe(9);
	});

	it('renders the rows that meet the viewport plus the overscan, within the wall', () => {
		// wall starts 300 px down a 1,000 px viewport, 200 rows
		expect(rowsOnScreen(300, 1000, 200, 3)).toEqual({ first: 0, end: Math.ceil(700 / ROW_H) + 3 });
		// scrolled 50 rows into the wall
		const top = -50 * ROW_H;
		expect(rowsOnScreen(top, 1000, 200, 3)).toEqual({ first: 47, end: 50 + Math.ceil(1000 / ROW_H) + 3 });
		// near the bottom: clamped to the wall
		expect(rowsOnScreen(-198 * ROW_H, 1000, 200, 3).end).toBe(200);
		// the wall is below the viewport, or empty: nothing to render
		expect(rowsOnScreen(2000, 1000, 200, 3)).toEqual({ first: 0, end: 3 });
		expect(rowsOnScreen(0, 1000, 0, 3)).toEqual({ first: 0, end: 0 });
	});
});
