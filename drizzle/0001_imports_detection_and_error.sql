ALTER TABLE "imports" ADD COLUMN "delimiter" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "header_row" integer;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "region" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "error" text;