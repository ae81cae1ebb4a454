import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeKind, isAccessCode, normalizeAccessCode, parseAccessCode } from '../../common/access-codes.js';
import { loadManifest, parseManifest } from '../../server/manifest.js';

describe('the access-code grammar', () => {
  it('takes every supported code apart', () => {
    expect(['AU', 'U7', 'IU7', 'D3', 'DR3', 'SG5', 'SG5_K'].map(parseAccessCode)).toEqual([
      { kind: 'allUsers' },
      { kind: 'user', id: 7 },
      { kind: 'user', id: 7 },
      { kind: 'department', id: 3 },
      { kind: 'departmentTree', id: 3 },
      { kind: 'group', id: 5 },
      { kind: 'group', id: 5, groupRole: 'K' },
    ]);
  });

  it('refuses what Keycard cannot evaluate', () => {
    const refused = ['CR', 'IU0', 'G2', 'U0', 'U01', 'DR', 'SG5_X', 'u1', 'AU1', ' U1', ''];
    expect(refused.filter(isAccessCode)).toEqual([]);
    expect(refused.map(parseAccessCode).filter((parsed) => parsed !== null)).toEqual([]);
    expect(refused.map(codeKind).every((kind) => kind === 'unknown')).toBe(true);
  });

  it('stores a plain workgroup code as its members code, the one members hold; nothing else changes', () => {
    expect(['SG5', 'SG5_K', 'SG5_A', 'SG5_E', 'U1', 'IU1', 'DR2', 'AU'].map(normalizeAccessCode)).toEqual([
      'SG5_K',
      'SG5_K',
      'SG5_A',
      'SG5_E',
      'U1',
      'IU1',
      'DR2',
      'AU',
    ]);
  });
});

describe('manifest default codes', () => {
  const manifestWith = (defaultCodes: string[]) => {
    const manifest = structuredClone(
      loadManifest(fileURLToPath(new URL('../../manifest/keycard.json', import.meta.url))),
    );
    const [role] = manifest.roles;
    if (role === undefined) throw new Error('fixture changed');
    role.defaultCodes = defaultCodes;
    return manifest;
  };

  it('are users, departments or everyone', () => {
    expect(parseManifest(manifestWith(['AU', 'U1', 'D2', 'DR3'])).roles[0]?.defaultCodes).toEqual([
      'AU',
      'U1',
      'D2',
      'DR3',
    ]);
  });

  it.each(['SG4', 'SG4_A', 'U0', 'CR'])('are not %s', (code) => {
    expect(() => parseManifest(manifestWith([code]))).toThrow(/defaultCodes\.0: default codes are AU/);
  });
});
