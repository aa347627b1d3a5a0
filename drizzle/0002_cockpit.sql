CREATE TABLE "cockpit_team_settings" (
	"team_id" uuid PRIMARY KEY NOT NULL,
	"alert_rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"coach_notice" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cockpit_team_settings" ADD CONSTRAINT "cockpit_team_settings_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;