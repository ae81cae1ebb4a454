import { describe, expect, it } from 'vitest';
import { frameBodySchema, placementOptionsSchema } from '../../server/bitrix/schemas.js';
import { loadManifest } from '../../server/manifest.js';
import { resolvePlacement } from '../../server/portals/open-placement.js';

const base = { AUTH_ID: 'token', member_id: 'member-1' };

describe('PLACEMENT and PLACEMENT_OPTIONS of the frame POST (issue 14)', () => {
  it('the app page: PLACEMENT absent or DEFAULT, options omitted → {}', () => {
    expect(frameBodySchema.parse(base)).toMatchObject({ PLACEMENT: 'DEFAULT', PLACEMENT_OPTIONS: {} });
    expect(frameBodySchema.parse({ ...base, PLACEMENT: 'DEFAULT', PLACEMENT_OPTIONS: '' })).toMatchObject({
      PLACEMENT_OPTIONS: {},
    });
  });

  it('a workgroup tab: the documented shape, hex escapes and escaped slashes decoded (Json::encode)', () => {
    // docs widgets/workgroups/detail-tab.md: {"GROUP_ID":"10","URI":"\/workgroups\/group\/10\/"}
    const body = frameBodySchema.parse({
      ...base,
      PLACEMENT: 'SONET_GROUP_DETAIL_TAB',
      PLACEMENT_OPTIONS: String.raw`{"GROUP_ID":"10","URI":"\/workgroups\/group\/10\/?q=\u003Cb\u003E\u0026\u0027\u0022"}`,
    });
    expect(body.PLACEMENT).toBe('SONET_GROUP_DETAIL_TAB');
    expect(body.PLACEMENT_OPTIONS).toEqual({ GROUP_ID: '10', URI: `/workgroups/group/10/?q=<b>&'"` });
  });

  it('numbers are tolerated as strings', () => {
    expect(placementOptionsSchema.parse('{"GROUP_ID":10}')).toEqual({ GROUP_ID: '10' });
  });

  it.each([
    ['invalid JSON', '{"GROUP_ID":'],
    ['more than 4 KB', `{"URI":"${'x'.repeat(4100)}"}`],
  ])('refuses %s', (_name, raw) => {
    expect(placementOptionsSchema.safeParse(raw).success).toBe(false);
  });

  it.each([
    ['an array', '["10"]', {}],
    ['a nested object (a link’s ?a[b]=1)', '{"GROUP_ID":{"id":"10"},"view":"x"}', { view: 'x' }],
    ['null values', '{"GROUP_ID":null}', {}],
    ['booleans', '{"IFRAME":true}', { IFRAME: 'true' }],
  ])('keeps only plain values of %s', (_name, raw, expected) => {
    expect(placementOptionsSchema.parse(raw)).toEqual(expected);
  });

  it('refuses a malformed PLACEMENT code', () => {
    expect(frameBodySchema.safeParse({ ...base, PLACEMENT: 'left menu<script>' }).success).toBe(false);
  });
});

describe('resolvePlacement', () => {
  const manifest = loadManifest('manifest/keycard.json');

  it('the left menu and the app page open the app', () => {
    expect(resolvePlacement(manifest, 'DEFAULT', {})).toEqual({ kind: 'app' });
    expect(resolvePlacement(manifest, 'LEFT_MENU', { URI: '/' })).toEqual({ kind: 'app' });
  });

  it('a feature placement names its feature and lowest level', () => {
    expect(resolvePlacement(manifest, 'SONET_GROUP_DETAIL_TAB', { GROUP_ID: '10' })).toEqual({
      kind: 'feature',
      code: 'SONET_GROUP_DETAIL_TAB',
      options: { GROUP_ID: '10' },
      feature: 'group_access',
      level: 'read',
    });
  });

  it('REST_APP_URI passes a known view and a plain id only (a number, or a request’s UUID)', () => {
    expect(resolvePlacement(manifest, 'REST_APP_URI', { view: 'requests', id: '42' })).toEqual({
      kind: 'app',
      entry: { view: 'requests', id: '42' },
    });
    const uuid = 'da79d3b4-1ed8-43bd-85c5-7e4d8d000ef8';
    expect(resolvePlacement(manifest, 'REST_APP_URI', { view: 'requests', id: uuid })).toEqual({
      kind: 'app',
      entry: { view: 'requests', id: uuid },
    });
    expect(resolvePlacement(manifest, 'REST_APP_URI', { view: 'requests', id: '4/x?' })).toEqual({
      kind: 'app',
      entry: { view: 'requests' },
    });
    expect(resolvePlacement(manifest, 'REST_APP_URI', { view: 'admin' })).toEqual({ kind: 'app' });
  });

  it('a placement the app does not bind is refused', () => {
    expect(() => resolvePlacement(manifest, 'CRM_DEAL_DETAIL_TAB', {})).toThrow(/does not bind/);
  });
});
