/**
 * The whole domain model (DESIGN §2). One schema for PGlite (embedded) and Postgres (real mode);
 * migrations in drizzle/ are generated from this file with `npm run db:generate`.
 */
import { sql } from 'drizzle-orm';
import {
	bigint,
	boolean,
	date,
	index,
	integer,
	jsonb,
	numeric,
	pgEnum,
	pgTable,
	primaryKey,
	smallint,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';

const id = () => uuid('id').primaryKey().defaultRandom();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const roleEnum = pgEnum('role', ['admin', 'manager', 'supervisor', 'agent']);
export const projectStatusEnum = pgEnum('project_status', ['draft', 'active', 'paused', 'done']);
export const dispositionKindEnum = pgEnum('disposition_kind', [
	'success',
	'refusal',
	'failure',
	'callback',
	'final'
]);
export const projectLeadStatusEnum = pgEnum('project_lead_status', [
	'new',
	'callback',
	'in_progress',
	'done',
	'exhausted',
	'dnc'
]);
export const callDirectionEnum = pgEnum('call_direction', ['in', 'out']);
export const meetingStatusEnum = pgEnum('meeting_status', ['scheduled', 'held', 'cancelled', 'no_show']);
export const dealOutcomeEnum = pgEnum('deal_outcome', ['pending', 'won', 'lost']);
/** held: kept in the database outbox because no SMTP_URL is configured (shown on /outbox, never dropped) */
export const letterStatusEnum = pgEnum('letter_status', ['queued', 'sent', 'failed', 'held']);
export const importStatusEnum = pgEnum('import_status', [
	'uploaded',
	'mapped',
	'running',
	'done',
	'failed',
	'cancelled'
]);
export const noteTargetEnum = pgEnum('note_target', ['agent', 'call', 'lead']);

// ─── people ────────────────────────────────────────────────────────────────

export const users = pgTable(
	'users',
	{
		id: id(),
		email: text('email').notNull(),
		name: text('name').notNull(),
		passwordHash: text('password_hash').notNull(),
		role: roleEnum('role').notNull(),
		locale: text('locale'),
		/** dial string of the agent's phone, e.g. PJSIP/1001 */
		endpoint: text('endpoint'),
		/** E.164 mobile for "listen from anywhere" */
		mobile: text('mobile'),
		totpSecret: text('totp_secret'),
		disabledAt: tstz('disabled_at'),
		createdAt: createdAt()
	},
	(t) => [
		uniqueIndex('users_email_uq').on(sql`lower(${t.email})`),
		uniqueIndex('users_endpoint_uq').on(t.endpoint)
	]
);

export const sessions = pgTable(
	'sessions',
	{
		/** sha-256 of the cookie token: a stolen database row cannot be replayed as a cookie */
		id: text('id').primaryKey(),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: tstz('expires_at').notNull(),
		/** set once the second factor was verified (or when the user has none) */
		verified: boolean('verified').notNull().default(true),
		ip: text('ip'),
		userAgent: text('user_agent'),
		createdAt: createdAt()
	},
	(t) => [index('sessions_user_idx').on(t.userId)]
);

/** One-time links: first-admin setup. Only the hash is stored. */
export const setupTokens = pgTable('setup_tokens', {
	id: text('id').primaryKey(),
	purpose: text('purpose').notNull(),
	expiresAt: tstz('expires_at').notNull(),
	usedAt: tstz('used_at'),
	createdAt: createdAt()
});

export const teams = pgTable(
	'teams',
	{
		id: id(),
		name: text('name').notNull(),
		/** colour thresholds of the wall-board, seconds per state */
		thresholds: jsonb('thresholds').$type<Record<string, [number, number, number]>>(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('teams_name_uq').on(t.name)]
);

export const teamMembers = pgTable(
	'team_members',
	{
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' })
	},
	(t) => [primaryKey({ columns: [t.teamId, t.userId] }), index('team_members_user_idx').on(t.userId)]
);

export const pbxes = pgTable(
	'pbxes',
	{
		id: id(),
		name: text('name').notNull(),
		/** ami://user@host:port — never the secret (secrets come from the environment) */
		url: text('url').notNull(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('pbxes_name_uq').on(t.name)]
);

// ─── projects ──────────────────────────────────────────────────────────────

export interface Attachment {
	name: string;
	path: string;
	size: number;
	type: string;
}
export interface WorkingHours {
	/** 0 = Sunday … 6 = Saturday; [from, to] as HH:MM */
	days: Partial<Record<0 | 1 | 2 | 3 | 4 | 5 | 6, [string, string]>>;
}

export const projects = pgTable(
	'projects',
	{
		id: id(),
		name: text('name').notNull(),
		status: projectStatusEnum('status').notNull().default('draft'),
		teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
		script: text('script').notNull().default(''),
		letterSubject: text('letter_subject').notNull().default(''),
		letterBody: text('letter_body').notNull().default(''),
		letterAttachments: jsonb('letter_attachments').$type<Attachment[]>().notNull().default([]),
		callerId: text('caller_id'),
		outboundContext: text('outbound_context').notNull().default('outbound'),
		workingHours: jsonb('working_hours').$type<WorkingHours>(),
		timezone: text('timezone').notNull().default('UTC'),
		defaultRegion: text('default_region').notNull().default('US'),
		targetCalls: integer('target_calls').notNull().default(100),
		targetTalkMinutes: integer('target_talk_minutes').notNull().default(120),
		targetMeetings: integer('target_meetings').notNull().default(2),
		salesDirectorId: uuid('sales_director_id').references(() => users.id, { onDelete: 'set null' }),
		archivedAt: tstz('archived_at'),
		createdAt: createdAt()
	},
	(t) => [index('projects_status_idx').on(t.status)]
);

export const projectAgents = pgTable(
	'project_agents',
	{
		projectId: uuid('project_id')
			.notNull()
			.references(() => projects.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' })
	},
	(t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('project_agents_user_idx').on(t.userId)]
);

/** The project's call intensity: what each outcome means and when to call again. */
export const dispositions = pgTable(
	'dispositions',
	{
		id: id(),
		projectId: uuid('project_id')
			.notNull()
			.references(() => projects.id, { onDelete: 'cascade' }),
		code: text('code').notNull(),
		label: text('label').notNull(),
		hotkey: smallint('hotkey'),
		kind: dispositionKindEnum('kind').notNull(),
		/** seconds until the next attempt; null = never again (or at the agreed callback time) */
		retryAfter: integer('retry_after'),
		maxAttempts: integer('max_attempts'),
		isContact: boolean('is_contact').notNull().default(false),
		isMeeting: boolean('is_meeting').notNull().default(false),
		/** wrong number: mark the dialled phone bad */
		marksPhoneBad: boolean('marks_phone_bad').notNull().default(false),
		sort: integer('sort').notNull().default(0)
	},
	(t) => [
		uniqueIndex('dispositions_project_code_uq').on(t.projectId, t.code),
		uniqueIndex('dispositions_project_hotkey_uq').on(t.projectId, t.hotkey)
	]
);

// ─── leads ─────────────────────────────────────────────────────────────────

export const imports = pgTable(
	'imports',
	{
		id: id(),
		projectId: uuid('project_id')
			.notNull()
			.references(() => projects.id, { onDelete: 'cascade' }),
		fileName: text('file_name').notNull(),
		filePath: text('file_path'),
		format: text('format'),
		encoding: text('encoding'),
		mapping: jsonb('mapping').$type<Record<string, string>>(),
		/** cell separator of a text file (',', ';', '\t', '|') */
		delimiter: text('delimiter'),
		/** 1-based line (CSV) or row (XLSX) of the header, below any title rows */
		headerRow: integer('header_row'),
		/** ISO 3166 region used to read national phone numbers */
		region: text('region'),
		status: importStatusEnum('status').notNull().default('uploaded'),
		total: integer('total').notNull().default(0),
		created: integer('created').notNull().default(0),
		merged: integer('merged').notNull().default(0),
		duplicate: integer('duplicate').notNull().default(0),
		invalid: integer('invalid').notNull().default(0),
		errorReportPath: text('error_report_path'),
		/** why the file was refused or the import failed */
		error: text('error'),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt(),
		finishedAt: tstz('finished_at')
	},
	(t) => [index('imports_project_idx').on(t.projectId, t.createdAt)]
);

export const leads = pgTable(
	'leads',
	{
		id: id(),
		company: text('company'),
		contactName: text('contact_name'),
		position: text('position'),
		city: text('city'),
		industry: text('industry'),
		size: text('size'),
		website: text('website'),
		timezone: text('timezone'),
		portrait: jsonb('portrait').$type<Record<string, string>>().notNull().default({}),
		source: text('source'),
		importId: uuid('import_id').references(() => imports.id, { onDelete: 'set null' }),
		blockedAt: tstz('blocked_at'),
		erasedAt: tstz('erased_at'),
		createdAt: createdAt()
	},
	// No index on import_id: nothing looks leads up by import and imports are never deleted, while
	// every imported lead would pay for one (the import bench counts each index a lead is written to).
	(t) => [index('leads_company_idx').on(t.company)]
);

export const leadPhones = pgTable(
	'lead_phones',
	{
		id: id(),
		leadId: uuid('lead_id')
			.notNull()
			.references(() => leads.id, { onDelete: 'cascade' }),
		e164: text('e164').notNull(),
		raw: text('raw'),
		kind: text('kind'),
		badAt: tstz('bad_at')
	},
	(t) => [uniqueIndex('lead_phones_e164_uq').on(t.e164), index('lead_phones_lead_idx').on(t.leadId)]
);

export const leadEmails = pgTable(
	'lead_emails',
	{
		id: id(),
		leadId: uuid('lead_id')
			.notNull()
			.references(() => leads.id, { onDelete: 'cascade' }),
		/** normalised: trimmed, lower-case */
		email: text('email').notNull()
	},
	(t) => [uniqueIndex('lead_emails_email_uq').on(t.email), index('lead_emails_lead_idx').on(t.leadId)]
);

export const dnc = pgTable('dnc', {
	e164: text('e164').primaryKey(),
	reason: text('reason'),
	addedBy: uuid('added_by').references(() => users.id, { onDelete: 'set null' }),
	createdAt: createdAt()
});

export const projectLeads = pgTable(
	'project_leads',
	{
		id: id(),
		projectId: uuid('project_id')
			.notNull()
			.references(() => projects.id, { onDelete: 'cascade' }),
		leadId: uuid('lead_id')
			.notNull()
			.references(() => leads.id, { onDelete: 'cascade' }),
		status: projectLeadStatusEnum('status').notNull().default('new'),
		attempts: integer('attempts').notNull().default(0),
		nextCallAt: tstz('next_call_at'),
		/** personal callback: only this agent gets the lead */
		ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
		lockedBy: uuid('locked_by').references(() => users.id, { onDelete: 'set null' }),
		lockedUntil: tstz('locked_until'),
		lastDispositionId: uuid('last_disposition_id').references(() => dispositions.id, {
			onDelete: 'set null'
		}),
		lastCalledAt: tstz('last_called_at'),
		createdAt: createdAt()
	},
	(t) => [
		uniqueIndex('project_leads_project_lead_uq').on(t.projectId, t.leadId),
		index('project_leads_hopper_idx').on(t.projectId, t.status, t.nextCallAt),
		// personal callbacks only: the imported rows (owner null) are not written to it
		index('project_leads_owner_idx')
			.on(t.ownerId, t.status, t.nextCallAt)
			.where(sql`${t.ownerId} is not null`),
		index('project_leads_lead_idx').on(t.leadId),
		// workstation: the hopper's fresh-lead queue. Only never-called rows are in it, so a claim
		// walks a short index in stored order instead of filtering every row the project ever had.
		index('project_leads_fresh_idx')
			.on(t.projectId, t.createdAt)
			.where(sql`${t.status} = 'new' and ${t.nextCallAt} is null`)
	]
);

// ─── calls ─────────────────────────────────────────────────────────────────

export const calls = pgTable(
	'calls',
	{
		id: id(),
		pbx: text('pbx').notNull(),
		uniqueid: text('uniqueid'),
		linkedid: text('linkedid').notNull(),
		direction: callDirectionEnum('direction').notNull(),
		projectId: uuid('project_id').references(() => projects.id, { onDelete: 'set null' }),
		leadId: uuid('lead_id').references(() => leads.id, { onDelete: 'set null' }),
		agentId: uuid('agent_id').references(() => users.id, { onDelete: 'set null' }),
		number: text('number'),
		queue: text('queue'),
		startedAt: tstz('started_at').notNull(),
		answeredAt: tstz('answered_at'),
		endedAt: tstz('ended_at'),
		talkSeconds: integer('talk_seconds'),
		dialStatus: text('dial_status'),
		hangupCause: integer('hangup_cause'),
		recordingPath: text('recording_path'),
		dispositionId: uuid('disposition_id').references(() => dispositions.id, { onDelete: 'set null' }),
		notes: text('notes')
	},
	(t) => [
		uniqueIndex('calls_pbx_linkedid_uq').on(t.pbx, t.linkedid),
		index('calls_agent_started_idx').on(t.agentId, t.startedAt),
		index('calls_project_started_idx').on(t.projectId, t.startedAt),
		index('calls_lead_idx').on(t.leadId, t.startedAt),
		index('calls_started_idx').on(t.startedAt),
		// drill-downs: the calls of one disposition, and the unanswered calls nobody disposed of, newest first
		index('calls_disposition_idx').on(t.dispositionId, t.startedAt),
		index('calls_undisposed_status_idx')
			.on(t.dialStatus, t.startedAt)
			.where(sql`${t.dispositionId} is null and ${t.answeredAt} is null`)
	]
);

export const agentStateLog = pgTable(
	'agent_state_log',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		agentId: uuid('agent_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		state: text('state').notNull(),
		reason: text('reason'),
		startedAt: tstz('started_at').notNull(),
		endedAt: tstz('ended_at').notNull()
	},
	(t) => [
		uniqueIndex('agent_state_log_agent_start_uq').on(t.agentId, t.startedAt),
		index('agent_state_log_started_idx').on(t.startedAt)
	]
);

export const meetings = pgTable(
	'meetings',
	{
		id: id(),
		leadId: uuid('lead_id')
			.notNull()
			.references(() => leads.id, { onDelete: 'cascade' }),
		projectId: uuid('project_id')
			.notNull()
			.references(() => projects.id, { onDelete: 'cascade' }),
		callId: uuid('call_id').references(() => calls.id, { onDelete: 'set null' }),
		bookedBy: uuid('booked_by').references(() => users.id, { onDelete: 'set null' }),
		salesDirectorId: uuid('sales_director_id').references(() => users.id, { onDelete: 'set null' }),
		startsAt: tstz('starts_at').notNull(),
		endsAt: tstz('ends_at').notNull(),
		place: text('place'),
		status: meetingStatusEnum('status').notNull().default('scheduled'),
		deal: dealOutcomeEnum('deal').notNull().default('pending'),
		amount: numeric('amount', { precision: 14, scale: 2 }),
		createdAt: createdAt()
	},
	(t) => [
		index('meetings_project_starts_idx').on(t.projectId, t.startsAt),
		index('meetings_booked_by_idx').on(t.bookedBy, t.createdAt),
		index('meetings_director_starts_idx').on(t.salesDirectorId, t.startsAt),
		index('meetings_lead_idx').on(t.leadId),
		// reports: meetings booked in a period (conversion) and held in a week (pay)
		index('meetings_created_idx').on(t.createdAt),
		index('meetings_starts_idx').on(t.startsAt),
		// backstop of the booking lock: one live meeting per director and start time
		uniqueIndex('meetings_director_slot_uq')
			.on(t.salesDirectorId, t.startsAt)
			.where(sql`${t.status} <> 'cancelled'`)
	]
);

export const letters = pgTable(
	'letters',
	{
		id: id(),
		projectId: uuid('project_id').references(() => projects.id, { onDelete: 'set null' }),
		leadId: uuid('lead_id').references(() => leads.id, { onDelete: 'set null' }),
		sentBy: uuid('sent_by').references(() => users.id, { onDelete: 'set null' }),
		to: text('to').notNull(),
		subject: text('subject').notNull(),
		body: text('body').notNull(),
		attachments: jsonb('attachments').$type<Attachment[]>().notNull().default([]),
		/** an RFC 5545 invitation sent with the message (meeting invitations) */
		calendar: text('calendar'),
		status: letterStatusEnum('status').notNull().default('queued'),
		attempts: integer('attempts').notNull().default(0),
		lastError: text('last_error'),
		nextAttemptAt: tstz('next_attempt_at'),
		createdAt: createdAt(),
		sentAt: tstz('sent_at')
	},
	(t) => [
		index('letters_outbox_idx').on(t.status, t.nextAttemptAt),
		index('letters_lead_idx').on(t.leadId, t.createdAt)
	]
);

export interface SurveyQuestion {
	id: string;
	text: string;
	/** choice: one of `choices`; multi: any of them (workstation) */
	kind: 'text' | 'choice' | 'multi' | 'number' | 'yesno';
	choices?: string[];
}

export const surveys = pgTable('surveys', {
	id: id(),
	projectId: uuid('project_id')
		.notNull()
		.references(() => projects.id, { onDelete: 'cascade' }),
	questions: jsonb('questions').$type<SurveyQuestion[]>().notNull().default([]),
	createdAt: createdAt()
});

export const surveyAnswers = pgTable(
	'survey_answers',
	{
		id: id(),
		surveyId: uuid('survey_id')
			.notNull()
			.references(() => surveys.id, { onDelete: 'cascade' }),
		callId: uuid('call_id')
			.notNull()
			.references(() => calls.id, { onDelete: 'cascade' }),
		/** question id → answer; a multiple-choice answer is the list of choices ticked */
		answers: jsonb('answers').$type<Record<string, string | string[]>>().notNull().default({}),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('survey_answers_call_uq').on(t.surveyId, t.callId)]
);

// ─── floor life ────────────────────────────────────────────────────────────

export const alerts = pgTable(
	'alerts',
	{
		id: id(),
		kind: text('kind').notNull(),
		/** the agent (or queue id) the alert is about */
		subject: text('subject').notNull(),
		teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
		details: jsonb('details').$type<Record<string, unknown>>(),
		raisedAt: tstz('raised_at').notNull().defaultNow(),
		claimedBy: uuid('claimed_by').references(() => users.id, { onDelete: 'set null' }),
		claimedAt: tstz('claimed_at'),
		resolvedAt: tstz('resolved_at')
	},
	(t) => [index('alerts_open_idx').on(t.resolvedAt, t.raisedAt)]
);

export const notes = pgTable(
	'notes',
	{
		id: id(),
		authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
		target: noteTargetEnum('target').notNull(),
		targetId: uuid('target_id').notNull(),
		/** position in a recording, for coaching notes */
		atMs: integer('at_ms'),
		body: text('body').notNull(),
		createdAt: createdAt()
	},
	(t) => [index('notes_target_idx').on(t.target, t.targetId, t.createdAt)]
);

export const messages = pgTable(
	'messages',
	{
		id: id(),
		fromId: uuid('from_id').references(() => users.id, { onDelete: 'set null' }),
		toId: uuid('to_id').references(() => users.id, { onDelete: 'cascade' }),
		teamId: uuid('team_id').references(() => teams.id, { onDelete: 'cascade' }),
		body: text('body').notNull(),
		readAt: tstz('read_at'),
		createdAt: createdAt()
	},
	(t) => [index('messages_to_idx').on(t.toId, t.createdAt)]
);

export const auditLog = pgTable(
	'audit_log',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
		action: text('action').notNull(),
		target: text('target'),
		details: jsonb('details').$type<Record<string, unknown>>(),
		ip: text('ip'),
		at: tstz('at').notNull().defaultNow()
	},
	(t) => [
		index('audit_log_at_idx').on(t.at),
		index('audit_log_actor_idx').on(t.actorId, t.at),
		index('audit_log_action_idx').on(t.action, t.at)
	]
);

// ─── rollups ───────────────────────────────────────────────────────────────

export const agentDayStats = pgTable(
	'agent_day_stats',
	{
		agentId: uuid('agent_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** calls without a project are counted under the nil uuid so the key stays total */
		projectId: uuid('project_id').notNull(),
		day: date('day').notNull(),
		dials: integer('dials').notNull().default(0),
		contacts: integer('contacts').notNull().default(0),
		conversations: integer('conversations').notNull().default(0),
		talkSeconds: integer('talk_seconds').notNull().default(0),
		pauseSeconds: integer('pause_seconds').notNull().default(0),
		meetings: integer('meetings').notNull().default(0),
		deals: integer('deals').notNull().default(0),
		/** dials per local hour 0..23 */
		hourly: jsonb('hourly').$type<number[]>().notNull().default([]),
		/** paused seconds that day per pause reason ('' = no reason given); sums to pause_seconds ± rounding */
		pauseReasons: jsonb('pause_reasons').$type<Record<string, number>>().notNull().default({}),
		/** answered calls with talk ≥ CONVERSATION_THRESHOLDS[i] seconds (src/lib/reports/conversation.ts) */
		talkOver: jsonb('talk_over').$type<number[]>().notNull().default([]),
		/** failed dials per reason key (src/lib/server/reports/reasons.ts) */
		failures: jsonb('failures').$type<Record<string, number>>().notNull().default({}),
		updatedAt: tstz('updated_at').notNull().defaultNow()
	},
	(t) => [
		primaryKey({ columns: [t.agentId, t.projectId, t.day] }),
		index('agent_day_stats_day_idx').on(t.day),
		index('agent_day_stats_project_day_idx').on(t.projectId, t.day)
	]
);

/**
 * Where each project's list stood on a day (reports' project progress): leads per status and, of
 * those, dialled at least once, plus the days with dials so far (the pace). Counting a list of
 * hundreds of thousands of leads takes too long for a report, and a live counter row would be a
 * hot spot for the hopper: a refresher (src/lib/server/reports/progress-snapshots.ts) rewrites
 * today's row every few minutes, earlier days keep the history.
 */
export const projectProgressDays = pgTable(
	'project_progress_days',
	{
		projectId: uuid('project_id')
			.notNull()
			.references(() => projects.id, { onDelete: 'cascade' }),
		day: date('day').notNull(),
		/** { status: [leads, dialled] } */
		byStatus: jsonb('by_status').$type<Record<string, [number, number]>>().notNull(),
		callingDays: integer('calling_days').notNull(),
		updatedAt: tstz('updated_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.projectId, t.day] })]
);

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

// ─── inbound: skills and managed queues ────────────────────────────────────

export const skills = pgTable(
	'skills',
	{
		id: id(),
		name: text('name').notNull(),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('skills_name_uq').on(t.name)]
);

/** An agent's level in a skill: 1 (beginner) … 10 (expert). */
export const agentSkills = pgTable(
	'agent_skills',
	{
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		skillId: uuid('skill_id')
			.notNull()
			.references(() => skills.id, { onDelete: 'cascade' }),
		level: smallint('level').notNull()
	},
	(t) => [primaryKey({ columns: [t.userId, t.skillId] }), index('agent_skills_skill_idx').on(t.skillId)]
);

export interface QueueSkillRequirement {
	skillId: string;
	minLevel: number;
}

/**
 * An Asterisk queue whose membership Switchboard owns: members are the agents (of `teamId`, when
 * set) who hold every required skill at `minLevel` or better. Queues not listed here are left alone.
 */
export const queues = pgTable(
	'queues',
	{
		id: id(),
		/** the queue's name in Asterisk (queues.conf) */
		name: text('name').notNull(),
		teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
		projectId: uuid('project_id').references(() => projects.id, { onDelete: 'set null' }),
		skills: jsonb('skills').$type<QueueSkillRequirement[]>().notNull().default([]),
		/** answered within this many seconds counts towards the service level */
		serviceLevelSeconds: integer('service_level_seconds').notNull().default(20),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('queues_name_uq').on(t.name)]
);

/** A supervisor's exception to the skills rule for one agent in one queue. */
export const queueMemberOverrides = pgTable(
	'queue_member_overrides',
	{
		queueId: uuid('queue_id')
			.notNull()
			.references(() => queues.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		/** true = member whatever the skills; false = never a member */
		member: boolean('member').notNull(),
		/** penalty to apply instead of the one derived from the skills */
		penalty: smallint('penalty'),
		updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
		updatedAt: tstz('updated_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.queueId, t.userId] })]
);
// ─── cockpit ───────────────────────────────────────────────────────────────

/** Per-team cockpit settings: the alert rules the leader evaluates and the agent's coaching notice. */
export const cockpitTeamSettings = pgTable('cockpit_team_settings', {
	teamId: uuid('team_id')
		.primaryKey()
		.references(() => teams.id, { onDelete: 'cascade' }),
	/** AlertRule[] (src/lib/protocol); kinds not listed use the defaults */
	alertRules: jsonb('alert_rules').$type<{ kind: string; enabled: boolean; threshold: number }[]>().notNull().default([]),
	/** shown to the agent while whispered to / barged in on; null = the default text */
	coachNotice: text('coach_notice'),
	updatedAt: tstz('updated_at').notNull().defaultNow()
});
// ─── reports ───────────────────────────────────────────────────────────────

/**
 * How a team's agents are paid per week: salary + bonus 1 (rate × meetings held above a
 * threshold) + bonus 2 (a fixed amount when the daily dial plan was met on every working day).
 * Amounts in the team's currency, as numeric strings (exact money).
 */
export const payRules = pgTable('pay_rules', {
	teamId: uuid('team_id')
		.primaryKey()
		.references(() => teams.id, { onDelete: 'cascade' }),
	currency: text('currency').notNull().default('EUR'),
	weeklySalary: numeric('weekly_salary', { precision: 12, scale: 2 }).notNull().default('0'),
	bonus1Rate: numeric('bonus1_rate', { precision: 12, scale: 2 }).notNull().default('0'),
	bonus1Threshold: integer('bonus1_threshold').notNull().default(0),
	bonus2Amount: numeric('bonus2_amount', { precision: 12, scale: 2 }).notNull().default('0'),
	/** dials per working day an agent must reach for bonus 2 */
	dailyDialsPlan: integer('daily_dials_plan').notNull().default(100),
	updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
	updatedAt: tstz('updated_at').notNull().defaultNow()
});

/**
 * An agent's own weekly salary in a team, overriding the team rule's salary (the bonuses still
 * follow the team's rule). Per team, because the amount is in the team rule's currency; no row =
 * the team's salary.
 */
export const payAgentSalaries = pgTable(
	'pay_agent_salaries',
	{
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		userId: uuid('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		weeklySalary: numeric('weekly_salary', { precision: 12, scale: 2 }).notNull(),
		updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
		updatedAt: tstz('updated_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.teamId, t.userId] })]
);

/** An approved week of pay: the computed lines frozen, so later data never changes what was paid. */
export const payWeeks = pgTable(
	'pay_weeks',
	{
		teamId: uuid('team_id')
			.notNull()
			.references(() => teams.id, { onDelete: 'cascade' }),
		/** the Monday of the week */
		weekStart: date('week_start').notNull(),
		snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
		approvedBy: uuid('approved_by').references(() => users.id, { onDelete: 'set null' }),
		approvedAt: tstz('approved_at').notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.teamId, t.weekStart] })]
);

/** Days that are not working days for pay and intensity plans. */
export const publicHolidays = pgTable('public_holidays', {
	day: date('day').primaryKey(),
	name: text('name').notNull()
});
// ─── leadsdata ─────────────────────────────────────────────────────────────

/**
 * A source row (import line or manual add) whose phones and e-mails belong to two or more different
 * leads: it is not guessed into one of them but waits here for the merge screen. Its own data is kept
 * so that merging the leads also keeps every phone and e-mail it brought.
 */
export const mergeCandidates = pgTable(
	'merge_candidates',
	{
		id: id(),
		/** the leads the row matched, sorted */
		leadIds: uuid('lead_ids').array().notNull(),
		projectId: uuid('project_id').references(() => projects.id, { onDelete: 'set null' }),
		importId: uuid('import_id').references(() => imports.id, { onDelete: 'set null' }),
		/** line in the import file; null for a manual add */
		line: integer('line'),
		phones: text('phones').array().notNull().default(sql`'{}'::text[]`),
		emails: text('emails').array().notNull().default(sql`'{}'::text[]`),
		/** the row's text fields (company, contact, …) */
		fields: jsonb('fields').$type<Record<string, string>>().notNull().default({}),
		resolvedAt: tstz('resolved_at'),
		createdAt: createdAt()
	},
	(t) => [index('merge_candidates_open_idx').on(t.resolvedAt, t.createdAt)]
);

/** "Keep apart": a pair of leads a manager decided are not the same (lead_a < lead_b). */
export const mergeDismissals = pgTable(
	'merge_dismissals',
	{
		leadA: uuid('lead_a')
			.notNull()
			.references(() => leads.id, { onDelete: 'cascade' }),
		leadB: uuid('lead_b')
			.notNull()
			.references(() => leads.id, { onDelete: 'cascade' }),
		decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(t) => [primaryKey({ columns: [t.leadA, t.leadB] })]
);

/** A project's named lead-list filter (status, attempts, city, import, last disposition). */
export const savedFilters = pgTable(
	'saved_filters',
	{
		id: id(),
		projectId: uuid('project_id')
			.notNull()
			.references(() => projects.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		filter: jsonb('filter').$type<Record<string, string>>().notNull().default({}),
		createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: createdAt()
	},
	(t) => [uniqueIndex('saved_filters_project_name_uq').on(t.projectId, t.name)]
);
