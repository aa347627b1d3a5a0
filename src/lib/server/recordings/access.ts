/**
 * Who may hear a call's recording (DESIGN §2 roles): a manager or admin any call; a supervisor the
 * calls of agents in their teams; an agent their own calls and the calls of leads in the projects
 * they work on (the history of the lead they are about to call).
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db';
import { queryRows } from '../db/rows';
import { roleAtLeast, type SessionUser } from '../auth/types';

export async function recordingFor(db: DbOrTx, user: SessionUser, callId: string): Promise<string | null> {
	const rows = await queryRows<{ recording_path: string | null; allowed: boolean }>(
		db,
		sql`select c.recording_path, (
				${roleAtLeast(user.role, 'manager')}
				or c.agent_id = ${user.id}
				or (${user.role === 'supervisor'} and exists (select 1 from team_members tm
					where tm.user_id = c.agent_id and tm.team_id = any(${`{${user.teamIds.join(',')}}`}::uuid[])))
				or (${user.role === 'agent'} and c.lead_id is not null and exists (select 1 from project_leads pl
					join project_agents pa on pa.project_id = pl.project_id
					where pl.lead_id = c.lead_id and pa.user_id = ${user.id}))
			) as allowed
			from calls c where c.id = ${callId}`
	);
	const row = rows[0];
	return row?.allowed ? row.recording_path : null;
}
