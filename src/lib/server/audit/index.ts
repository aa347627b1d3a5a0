import type { DbOrTx } from '../db';
import { auditLog } from '../db/schema';

/** Every security-relevant action leaves one row: who, what, on whom, from where. */
export type AuditAction =
	| 'login.ok'
	| 'login.failed'
	| 'login.totp_failed'
	| 'logout'
	| 'setup.admin_created'
	| 'user.created'
	| 'user.updated'
	| 'user.role_changed'
	| 'user.teams_changed'
	| 'user.disabled'
	| 'user.enabled'
	| 'user.password_reset'
	| 'user.totp_enabled'
	| 'user.totp_disabled'
	| 'team.created'
	| 'team.renamed'
	| 'team.deleted'
	| 'team.thresholds_changed'
	| 'monitor.start'
	| 'monitor.switch'
	| 'monitor.stop'
	| 'agent.pause'
	| 'agent.unpause'
	| 'project.created'
	| 'project.updated'
	| 'project.status_changed'
	| 'project.dispositions_changed'
	| 'project.performers_changed'
	| 'import.uploaded'
	| 'import.finished'
	| 'skill.changed'
	| 'queue.changed'
	| 'queue.member_changed'
	| 'import.cancelled'
	| 'export'
	// cockpit: operator control and alerts
	| 'agent.logoff'
	| 'agent.moved'
	| 'message.sent'
	| 'message.broadcast'
	| 'alert.claimed'
	| 'alert.resolved'
	| 'alert.rules_changed'
	| 'note.added'
	| 'note.removed'
	| 'erase'
	| 'meeting.outcome'
	| 'pay.approved'
	| 'pay.rule_changed'
	| 'pay.salary_changed'
	| 'holiday.changed'
	// workstation
	| 'recording.played'
	| 'lead.updated'
	// leadsdata: DNC list, block/erase, manual add, merge screen, saved filters, letter attachments
	| 'dnc.added'
	| 'dnc.removed'
	| 'dnc.imported'
	| 'lead.created'
	| 'lead.blocked'
	| 'lead.unblocked'
	| 'lead.merged'
	| 'lead.kept_apart'
	| 'filter.saved'
	| 'filter.deleted'
	| 'attachment.added'
	| 'attachment.removed';

export interface AuditEntry {
	actorId: string | null;
	action: AuditAction;
	target?: string | null;
	details?: Record<string, unknown>;
	ip?: string | null;
}

export async function audit(db: DbOrTx, entry: AuditEntry): Promise<void> {
	await db.insert(auditLog).values({
		actorId: entry.actorId,
		action: entry.action,
		target: entry.target ?? null,
		details: entry.details ?? null,
		ip: entry.ip ?? null
	});
}
