import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Process alive: no dependency is checked, so an orchestrator never restarts us for a slow database. */
export const GET: RequestHandler = () => json({ ok: true, uptime: process.uptime() });
