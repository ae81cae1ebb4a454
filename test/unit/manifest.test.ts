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
    expect(manifest.features.map((feature) => feature.key)).toEqual(['directory', 'stock', 'group_access']);
    expect(manifest.features.find((feature) => feature.key === 'group_access')?.placements?.map((p) => p.code)).toEqual(
      ['SONET_GROUP_DETAIL_TAB'],
    );
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
      ...manifest.features.flatMap((feature) => (feature.placements ?? []).map((placement) => placement.title)),
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

/** The sample feature with placements, to break in tests. */
function groupAccess(manifest: Manifest): Manifest['features'][number] {
  const feature = manifest.features.find((item) => item.key === 'group_access');
  if (feature === undefined) throw new Error('the sample manifest has no group_access');
  return feature;
}

const tab = { code: 'SONET_GROUP_DETAIL_TAB', title: { en: 'Tab', ru: 'Вкладка' } };

describe('parseManifest: scopes and placements (issue 14)', () => {
  it.each<{ name: string; breakIt: (manifest: Manifest) => void; problem: string }>([
    {
      name: 'an unknown scope code',
      breakIt: (manifest) => manifest.scopes.push({ ...structuredClone(manifest.scopes[0]!), code: 'crm_plus' }),
      problem: 'scope crm_plus is not a Bitrix24 scope',
    },
    {
      name: 'a feature needing a scope the manifest does not request',
      breakIt: (manifest) => groupAccess(manifest).scopes.push('task'),
      problem: 'feature group_access needs scope task, which is not requested',
    },
    {
      name: 'a placement unknown to the table',
      breakIt: (manifest) => groupAccess(manifest).placements?.push({ ...tab, code: 'SONET_GROUP_SIDEBAR' }),
      problem: 'placement SONET_GROUP_SIDEBAR is unknown',
    },
    {
      name: 'a placement whose scope is not requested',
      breakIt: (manifest) => groupAccess(manifest).placements?.push({ ...tab, code: 'CRM_DEAL_DETAIL_TAB' }),
      problem: 'placement CRM_DEAL_DETAIL_TAB needs scope crm, which is not requested',
    },
    {
      name: 'a placement without the placement scope',
      breakIt: (manifest) => {
        manifest.scopes = manifest.scopes.filter((scope) => scope.code !== 'placement');
      },
      problem: 'placement SONET_GROUP_DETAIL_TAB needs scope placement, which is not requested',
    },
    {
      name: 'a placement claimed by two features',
      breakIt: (manifest) => {
        manifest.features[0]!.placements = [tab];
      },
      problem: 'placement SONET_GROUP_DETAIL_TAB is claimed by features directory and group_access',
    },
    {
      name: 'a feature on a placement that opens the whole app',
      breakIt: (manifest) => groupAccess(manifest).placements?.push({ ...tab, code: 'LEFT_MENU' }),
      problem: 'placement LEFT_MENU is the app’s own, not a feature’s',
    },
    {
      name: 'a level that requires an unknown level',
      breakIt: (manifest) => manifest.levels[1]!.requires.push('approve'),
      problem: 'level edit requires unknown level approve',
    },
  ])('rejects $name', ({ breakIt, problem }) => {
    const manifest = realManifest();
    breakIt(manifest);
    expect(manifestErrors(manifest)).toContain(problem);
  });

  it('accepts messenger placements with the placement scope alone (widgets/index.md)', () => {
    const manifest = realManifest();
    groupAccess(manifest).placements?.push({ ...tab, code: 'IM_SIDEBAR' }, { ...tab, code: 'IM_CONTEXT_MENU' });
    expect(() => parseManifest(manifest)).not.toThrow();
  });

  it('lists every scope and placement problem of one manifest together', () => {
    const manifest = realManifest();
    manifest.scopes.push({ ...structuredClone(manifest.scopes[0]!), code: 'crm_plus' });
    groupAccess(manifest).placements?.push({ ...tab, code: 'TASK_VIEW_TAB' }, { ...tab, code: 'NOWHERE' });
    manifest.features[0]!.placements = [tab];
    manifest.levels[1]!.requires.push('approve');
    const message = manifestErrors(manifest);
    for (const problem of [
      'scope crm_plus is not a Bitrix24 scope',
      'placement TASK_VIEW_TAB needs scope task',
      'placement NOWHERE is unknown',
      'placement SONET_GROUP_DETAIL_TAB is claimed by features',
      'level edit requires unknown level approve',
    ])
      expect(message).toContain(problem);
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(5);
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
