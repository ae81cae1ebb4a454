import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/*
 * `npm start` with an unusable manifest (MANIFEST_PATH) stops before anything starts, prints every problem of the
 * manifest at once on stderr, as it prints configuration errors, and exits non-zero. The real entry, server/main.ts,
 * runs in its own process.
 */

const dir = mkdtempSync(join(tmpdir(), 'keycard-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = {
  B24_CLIENT_ID: 'app.keycard.test',
  B24_CLIENT_SECRET: 'client-secret',
  APP_URL: 'http://localhost:3999',
  SECRET_KEY: 'start-up-test-secret-key-0123456789abcdef',
  STORE_URL: 'memory://',
  PORT: '0',
  LOG_LEVEL: 'silent',
};

/** Runs server/main.ts with `extra` in the environment; resolves with its exit code and stderr once it exits. */
function runMain(extra: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const { PATH, HOME } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { PATH, HOME, ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    }),
  );
}

const manifestShape = z
  .object({
    levels: z.array(z.object({ key: z.string(), requires: z.array(z.string()) }).loose()),
    scopes: z.array(z.object({ code: z.string() }).loose()),
    features: z.array(
      z
        .object({
          key: z.string(),
          levels: z.array(z.string()),
          placements: z.array(z.object({ code: z.string() }).loose()).optional(),
        })
        .loose(),
    ),
    roles: z.array(z.object({ key: z.string(), grants: z.record(z.string(), z.string()) }).loose()),
  })
  .loose();

/** The shipped manifest with five problems of different kinds, in a file of its own. */
function brokenManifest(): string {
  const manifest = manifestShape.parse(JSON.parse(readFileSync('manifest/keycard.json', 'utf8')));
  manifest.levels.push({ key: 'export', title: { en: 'Export', ru: 'Экспорт' }, requires: ['download'] });
  manifest.scopes.push({ code: 'crmm', title: { en: 'Typo', ru: 'Опечатка' }, description: { en: '-', ru: '-' } });
  const stock = manifest.features.find((feature) => feature.key === 'stock');
  stock?.levels.push('archive');
  // A CRM deal tab while the manifest does not request `crm`.
  if (stock !== undefined)
    stock.placements = [
      ...(stock.placements ?? []),
      { code: 'CRM_DEAL_DETAIL_TAB', title: { en: 'Stock', ru: 'Остатки' } },
    ];
  const administrator = manifest.roles.find((role) => role.key === 'administrator');
  if (administrator === undefined) throw new Error('the shipped manifest has no administrator role');
  administrator.grants['reports'] = 'read';
  const file = join(dir, 'broken.json');
  writeFileSync(file, JSON.stringify(manifest));
  return file;
}

describe('start-up with a bad manifest', () => {
  it('prints every problem at once and exits non-zero', async () => {
    const file = brokenManifest();
    const { code, stderr, stdout } = await runMain({ MANIFEST_PATH: file });
    expect(code).not.toBe(0);
    expect(stderr).toContain(`Invalid manifest ${file}:`);
    expect(stderr).toContain('level export requires unknown level download');
    expect(stderr).toContain('feature stock uses unknown level archive');
    expect(stderr).toContain('role administrator grants unknown feature reports');
    expect(stderr).toContain('scope crmm is not a Bitrix24 scope');
    expect(stderr).toContain('feature stock: placement CRM_DEAL_DETAIL_TAB needs scope crm, which is not requested');
    // Before anything started: nothing listened, nothing was logged.
    expect(stdout).toBe('');
  }, 30_000);

  it('a missing file is said so, and the process exits non-zero', async () => {
    const file = join(dir, 'missing.json');
    const { code, stderr } = await runMain({ MANIFEST_PATH: file });
    expect(code).not.toBe(0);
    expect(stderr).toContain(`Invalid manifest ${file}:`);
    expect(stderr).toContain('ENOENT');
  }, 30_000);

  it('configuration problems are still printed the same way', async () => {
    const { code, stderr } = await runMain({ SECRET_KEY: 'short', MANIFEST_PATH: join(dir, 'missing.json') });
    expect(code).not.toBe(0);
    expect(stderr).toContain('Invalid configuration:');
    expect(stderr).toContain('SECRET_KEY must be at least 32 characters');
  }, 30_000);
});
