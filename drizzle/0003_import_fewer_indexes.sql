DROP INDEX "leads_import_idx";--> statement-breakpoint
DROP INDEX "project_leads_owner_idx";--> statement-breakpoint
CREATE INDEX "project_leads_owner_idx" ON "project_leads" USING btree ("owner_id","status","next_call_at") WHERE "project_leads"."owner_id" is not null;