ALTER TYPE "public"."letter_status" ADD VALUE 'held';--> statement-breakpoint
ALTER TABLE "letters" ADD COLUMN "calendar" text;--> statement-breakpoint
CREATE UNIQUE INDEX "meetings_director_slot_uq" ON "meetings" USING btree ("sales_director_id","starts_at") WHERE "meetings"."status" <> 'cancelled';