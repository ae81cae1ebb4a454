import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Builds the UI when dist/client is missing, then reads it (the demo and e2e tests need the real UI). */
export async function builtUi(root = process.cwd()): Promise<{ template: string; assetsDir: string }> {
  const clientDir = join(root, 'dist', 'client');
  const indexFile = join(clientDir, 'index.html');
  if (!existsSync(indexFile)) {
    const { build } = await import('vite');
    await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  }
  return { template: readFileSync(indexFile, 'utf8'), assetsDir: join(clientDir, 'assets') };
}
