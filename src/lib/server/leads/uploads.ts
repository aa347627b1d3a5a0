/** Where uploaded lead files live: DATA_DIR/imports/<import id>.<ext>, next to their error reports. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export function uploadPath(dataDir: string, importId: string, fileName: string): string {
	const ext = /\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1]?.toLowerCase() ?? 'bin';
	return path.join(dataDir, 'imports', `${importId}.${ext}`);
}

export async function storeUpload(file: string, bytes: Uint8Array): Promise<void> {
	await mkdir(path.dirname(file), { recursive: true });
	await writeFile(file, bytes);
}
