/**
 * `npm run bench`: runs every benchmark under test/bench and prints its figures.
 * Each benchmark is a module exporting `run(): Promise<void>` that prints its own table.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(here).filter(
  (file) => file.endsWith('.bench.ts') && (only === undefined || file.startsWith(only)),
);
const benchModule = z.object({ run: z.function() });

for (const file of files) {
  process.stdout.write(`\n# ${file}\n`);
  const loaded = benchModule.parse(await import(pathToFileURL(join(here, file)).href));
  await loaded.run();
}
