import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema and applied at start (src/lib/server/db/migrate.ts).
export default defineConfig({
	schema: './src/lib/server/db/schema.ts',
	out: './drizzle',
	dialect: 'postgresql',
	strict: true,
	verbose: true
});
