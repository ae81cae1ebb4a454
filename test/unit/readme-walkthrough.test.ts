import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseManifest } from '../../server/manifest.js';

/*
 * The README's "Build your app on Keycard" shows the walkthrough app's own files; the walkthrough's tests run those
 * files (test/integration/build-your-app.test.ts, test/client/walkthrough-*.test.ts). This keeps the guide from
 * drifting away from what is tested: its manifest entries are the test manifest's, and its code is the tested code.
 */

const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf('\n## Build your app on Keycard\n');
const guide = readme.slice(start, readme.indexOf('\n## ', start + 1));

/** The fenced blocks of `language` in the guide, in order. */
function blocks(language: string): string[] {
  return [...guide.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```', 'g'))].map(
    (match) => match[1] ?? '',
  );
}

/** The lines of `file` between its `README: <name> (begin)` and `(end)` markers, markers included. */
function quoted(file: string, name: string): string {
  const text = readFileSync(file, 'utf8');
  const begin = text.indexOf(`// README: ${name} (begin)`);
  const endMarker = `// README: ${name} (end)`;
  const end = text.indexOf(endMarker);
  if (begin < 0 || end < 0) throw new Error(`${file} has no README markers for ${name}`);
  return text.slice(begin, end + endMarker.length);
}

const manifestFile = 'test/support/manifest-walkthrough.json';
const listed = z.array(z.unknown());
const entries = z.object({
  scopes: listed,
  resourceTypes: listed,
  levels: listed,
  features: listed,
  roles: listed,
});
/** Files the guide tells the reader to create. */
const yours = new Set(['server/http/routes/reports-router.ts']);

describe('README: Build your app on Keycard', () => {
  it('is there, before the project layout', () => {
    expect(start).toBeGreaterThan(0);
    expect(readme.indexOf('\n## Project layout\n')).toBeGreaterThan(start);
  });

  it('shows manifest entries that are the walkthrough manifest’s, which is valid', () => {
    const [snippet] = blocks('json');
    const shown = entries.parse(JSON.parse(snippet ?? '{}'));
    const manifest = entries.parse(JSON.parse(readFileSync(manifestFile, 'utf8')));
    expect(Object.keys(shown)).toEqual(['scopes', 'resourceTypes', 'levels', 'features', 'roles']);
    for (const key of ['scopes', 'resourceTypes', 'levels', 'features', 'roles'] as const) {
      for (const item of shown[key]) expect(manifest[key], key).toContainEqual(item);
    }
    expect(() => parseManifest(JSON.parse(readFileSync(manifestFile, 'utf8')))).not.toThrow();
  });

  it('shows the routes and the page the tests run', () => {
    expect(
      blocks('ts').some((block) => block.includes(quoted('test/support/walkthrough-app.ts', 'reports routes'))),
    ).toBe(true);
    expect(
      blocks('vue').some((block) => block.includes(quoted('test/client/walkthrough/ReportsPage.vue', 'reports page'))),
    ).toBe(true);
    // The page's template is the README's too (the import path differs: the test's copy lives under test/client/).
    const page = readFileSync('test/client/walkthrough/ReportsPage.vue', 'utf8');
    expect(blocks('vue')[0]).toBe(
      page.trimEnd().replace("'../../../client/composables/useAccess'", "'../composables/useAccess'"),
    );
  });

  it('names files and tests that exist', () => {
    const named = [...guide.matchAll(/`((?:test|server|client)\/[\w./-]+\.(?:ts|vue|json))`/g)].map(
      (match) => match[1],
    );
    expect(named.length).toBeGreaterThan(10);
    for (const path of named.filter((file) => file !== undefined && !yours.has(file))) {
      expect(() => readFileSync(path ?? '', 'utf8'), path).not.toThrow();
    }
  });
});
