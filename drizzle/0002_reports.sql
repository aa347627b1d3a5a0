CREATE TABLE "pay_rules" (
	"team_id" uuid PRIMARY KEY NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"weekly_salary" numeric(12, 2) DEFAULT '0' NOT NULL,
	"bonus1_rate" numeric(12, 2) DEFAULT '0' NOT NULL,
	"bonus1_threshold" integer DEFAULT 0 NOT NULL,
	"bonus2_amount" numeric(12, 2) DEFAULT '0' NOT NULL,
	"daily_dials_plan" integer DEFAULT 100 NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pay_weeks" (
	"team_id" uuid NOT NULL,
	"week_start" date NOT NULL,
	"snapshot" jsonb NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pay_weeks_team_id_week_start_pk" PRIMARY KEY("team_id","week_start")
);
--> statement-breakpoint
CREATE TABLE "public_holidays" (
	"day" date PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agent_day_stats" ADD COLUMN "pause_reasons" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "pay_rules" ADD CONSTRAINT "pay_rules_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pay_rules" ADD CONSTRAINT "pay_rules_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pay_weeks" ADD CONSTRAINT "pay_weeks_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pay_weeks" ADD CONSTRAINT "pay_weeks_approved_by_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;