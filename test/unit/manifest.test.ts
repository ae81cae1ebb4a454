import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifest, parseManifest, pickLang, type Manifest } from '../../server/manifest.js';

const MANIFEST_PATH = fileURLToPath(new URL('../../manifest/keycard.json', import.meta.url));

/** A deep copy of the real manifest that a test may break. */
function realManifest(): Manifest {
  return structuredClone(loadManifest(MANIFEST_PATH));
}

function manifestErrors(raw: unknown): string {
  try {
    parseManifest(raw);
  } catch (error: unknown) {
    if (error instanceof Error) return error.message;
    throw error;
  }
  throw new Error('parseManifest accepted an invalid manifest');
}

describe('loadManifest', () => {
  it('parses the shipped manifest/keycard.json', () => {
    const manifest = loadManifest(MANIFEST_PATH);
    expect(manifest.code).toBe('keycard');
    expect(manifest.scopes.map((scope) => scope.code)).toEqual([
      'user_brief',
      'department',
      'placement',
      'sonet_group',
      'im',
    ]);
    expect(manifest.levels.map((level) => level.key)).toEqual(['read', 'edit']);
    // Only features the sample app uses (issue 13): see shipped-features.test.ts.
    expect(manifest.features.map((feature) => feature.key)).toEqual(['directory', 'stock']);
    expect(manifest.resourceTypes?.map((type) => type.key)).toEqual(['warehouse']);
    expect(manifest.features.find((feature) => feature.key === 'stock')?.resource).toBe('warehouse');
    expect(manifest.roles.map((role) => role.key)).toEqual(['administrator', 'manager']);
  });

  it('has both languages for every user-visible text', () => {
    const manifest = loadManifest(MANIFEST_PATH);
    const texts = [
      manifest.title,
      ...manifest.scopes.flatMap((scope) => [scope.title, scope.description]),
      ...manifest.levels.map((level) => level.title),
      ...manifest.features.map((feature) => feature.title),
      ...manifest.roles.map((role) => role.title),
      ...(manifest.resourceTypes ?? []).map((type) => type.title),
    ];
    for (const text of texts) {
      expect(text.en.trim()).not.toBe('');
      expect(text.ru.trim()).not.toBe('');
    }
  });

  it('throws for a missing file', () => {
    expect(() => loadManifest(fileURLToPath(new URL('./no-such-manifest.json', import.meta.url)))).toThrow(/ENOENT/);
  });
});

describe('parseManifest', () => {
  it('accepts the real manifest as an object', () => {
    expect(parseManifest(realManifest())).toEqual(realManifest());
  });

  it('reports several cross-reference problems at once', () => {
    const manifest = realManifest();
    const [directory, stock] = manifest.features;
    if (directory === undefined || stock === undefined) throw new Error('fixture changed');
    directory.levels = ['read', 'admin'];
    stock.scopes = ['crm'];
    manifest.features.push({ ...stock, scopes: [] });
    manifest.roles.push({
      key: 'auditor',
      title: { en: 'Auditor', ru: 'Аудитор' },
      grants: { billing: 'read', directory: 'edit' },
    });

    const message = manifestErrors(manifest);
    expect(message).toMatch(/^Invalid manifest:\n/);
    expect(message).toContain('feature directory uses unknown level admin');
    expect(message).toContain('feature stock needs scope crm, which is not requested');
    expect(message).toContain('role auditor grants unknown feature billing');
    expect(message).toContain('role auditor grants directory at level edit, which it does not have');
    expect(message).toContain('feature keys must be unique');
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(5);
  });

  it.each<{ name: string; breakIt: (manifest: Manifest) => void; problem: string }>([
    {
      name: 'a level requiring an unknown level',
      breakIt: (manifest) => manifest.levels.push({ key: 'admin', title: { en: 'A', ru: 'А' }, requires: ['owner'] }),
      problem: 'level admin requires unknown level owner',
    },
    {
      name: 'a feature scoped to an unknown resource type',
      breakIt: (manifest) => {
        const [directory] = manifest.features;
        if (directory !== undefined) directory.resource = 'shelf';
      },
      problem: 'feature directory uses unknown resource type shelf',
    },
    {
      name: 'duplicate scope codes',
      breakIt: (manifest) => {
        const [first] = manifest.scopes;
        if (first !== undefined) manifest.scopes.push(first);
      },
      problem: 'scope codes must be unique',
    },
    {
      name: 'an upper-case key',
      breakIt: (manifest) => {
        manifest.code = 'KeyCard';
      },
      problem: 'code: keys are lowercase',
    },
    {
      name: 'a text without Russian',
      breakIt: (manifest) => {
        manifest.title = { en: 'Keycard', ru: '' };
      },
      problem: 'title.ru',
    },
    {
      name: 'no scopes at all',
      breakIt: (manifest) => {
        manifest.scopes = [];
      },
      problem: 'scopes',
    },
  ])('rejects $name', ({ breakIt, problem }) => {
    const manifest = realManifest();
    breakIt(manifest);
    expect(manifestErrors(manifest)).toContain(problem);
  });

  it.each([null, 'keycard', [], {}])('rejects a non-manifest %j', (raw) => {
    expect(manifestErrors(raw)).toMatch(/^Invalid manifest:/);
  });
});

describe('pickLang', () => {
  it.each<[string | undefined, 'en' | 'ru']>([
    ['ru', 'ru'],
    ['ru-RU', 'ru'],
    ['RU', 'ru'],
    [' ru ', 'ru'],
    ['en', 'en'],
    ['de', 'en'],
    ['ua', 'en'],
    ['by', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('%j → %s', (value, expected) => {
    expect(pickLang(value)).toBe(expected);
  });
});
