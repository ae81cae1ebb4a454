import { Router } from 'express';
import { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../server/app.js';
import type { ApiRoutes } from '../../server/http/api-routes.js';
import { createLogger } from '../../server/logger.js';
import { loadManifest } from '../../server/manifest.js';
import type { CompanyUser } from '../emulator/company.js';
import { bootstrapOf, testClock, testConfig, UI_TEMPLATE } from '../support/harness.js';
import { regionCatalog, reportsRoutes, SALES, WALKTHROUGH_MANIFEST } from '../support/walkthrough-app.js';
import { directoryStack, employees, framePost, type DirectoryStack } from './directory-stack.js';

/*
 * README "Build your app on Keycard", end to end over real HTTP: an app built from its own manifest
 * (test/support/manifest-walkthrough.json) with a feature the sample does not have — `reports`, Sales reports,
 * levels read and export (export requires read), limited by region — and its own routes
 * (test/support/walkthrough-app.ts) mounted through `apiRoutes`. The routes refuse without the feature and answer
 * with it once an admin assigns the role with the same save the UI sends; the roles matrix's data lists the
 * feature; "check a user" explains it by the role. The emulated portal and its company are seeded.
 */

const stacks: DirectoryStack[] = [];
afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

async function walkthroughApp(): Promise<DirectoryStack> {
  const s = await directoryStack({
    users: 40,
    departments: 4,
    seed: 14,
    scopes: ['user_brief', 'department', 'placement', 'crm'],
    manifest: WALKTHROUGH_MANIFEST,
    apiRoutes: [reportsRoutes],
    resources: regionCatalog,
  });
  stacks.push(s);
  await s.directory.runSync(s.memberId, 'admin');
  return s;
}

const auth = async (s: DirectoryStack, userId: number, isAdmin: boolean) =>
  `Bearer ${await s.session({ userId: String(userId), isAdmin })}`;

/** What a save sends back: the policy as read, without its version (loose: every other field is kept). */
const policyContent = z
  .object({
    roles: z.array(z.object({ key: z.string(), title: z.string() }).loose()),
    assignments: z.array(z.object({ code: z.string(), role: z.string() })),
  })
  .loose();

const policyAnswer = z.object({
  policy: policyContent.extend({ version: z.number() }),
  etag: z.string(),
  manifest: z
    .object({
      levels: z.array(z.object({ key: z.string(), title: z.string(), requires: z.array(z.string()) })),
      features: z.array(z.object({ key: z.string() }).loose()),
      resourceTypes: z.array(z.object({ key: z.string() }).loose()),
    })
    .loose(),
});

/** The admin's save, as the access settings' Save button sends it: the edited policy with the ETag it read. */
async function save(s: DirectoryStack, admin: string, change: (policy: z.infer<typeof policyContent>) => object) {
  const current = await s.request.get('/api/access/policy').set('authorization', admin).expect(200);
  const { policy, etag } = policyAnswer.parse(current.body);
  const { version: _version, ...content } = policy;
  return s.request
    .put('/api/access/policy')
    .set('authorization', admin)
    .set('if-match', etag)
    .send(change(policyContent.parse(content)));
}

describe('Build your app on Keycard: a feature the sample does not have', () => {
  it('the route refuses without the feature and answers with it; the matrix lists it; check-a-user explains it', async () => {
    const s = await walkthroughApp();
    const admin = await auth(s, 1, true);
    const [analyst, regional, nobody] = employees(s);
    if (analyst === undefined || regional === undefined || nobody === undefined) throw new Error('company too small');
    const as = {
      analyst: await auth(s, analyst.id, false),
      regional: await auth(s, regional.id, false),
      nobody: await auth(s, nobody.id, false),
    };

    // Without the feature (the default Manager role does not grant it): refused with the feature's code and title.
    for (const user of [as.analyst, as.nobody]) {
      const read = await s.request.get('/api/reports').set('authorization', user);
      expect([read.status, read.body]).toEqual([
        403,
        { error: 'FEATURE_DENIED', message: 'You do not have access to Sales reports.' },
      ]);
      const exported = await s.request.post('/api/reports/export').set('authorization', user);
      expect([exported.status, exported.body.error]).toEqual([403, 'FEATURE_DENIED']);
    }
    // No session: the session check in front of every /api route, the app's own included.
    expect((await s.request.get('/api/reports')).status).toBe(401);

    // The roles matrix: the policy the Roles tab renders lists the feature, its levels and its resource type.
    const matrix = policyAnswer.parse((await s.request.get('/api/access/policy').set('authorization', admin)).body);
    expect(matrix.manifest.features.find((feature) => feature.key === 'reports')).toEqual({
      key: 'reports',
      title: 'Sales reports',
      levels: ['read', 'export'],
      adminOnly: false,
      resource: 'region',
    });
    expect(matrix.manifest.levels).toContainEqual({ key: 'export', title: 'Export', requires: ['read'] });
    expect(matrix.manifest.resourceTypes).toContainEqual({
      key: 'region',
      title: 'Region',
      resources: [
        { id: 'north', name: 'North' },
        { id: 'south', name: 'South' },
      ],
    });
    expect(matrix.policy.roles.map((role) => role.title)).toContain('Sales analyst');

    // The admin gives the analyst the Sales analyst role, and another employee read-only access to the north.
    const saved = await save(s, admin, (policy) => ({
      ...policy,
      roles: [
        ...policy.roles,
        {
          key: 'north-reader',
          title: 'North reader',
          builtIn: false,
          grants: { reports: { level: 'read', resources: ['north'] } },
        },
      ],
      assignments: [
        ...policy.assignments,
        { code: `U${analyst.id}`, role: 'analyst' },
        { code: `U${regional.id}`, role: 'north-reader' },
      ],
    }));
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);

    // With the feature: the routes answer, each with the regions the user's roles cover.
    const read = await s.request.get('/api/reports').set('authorization', as.analyst);
    expect([read.status, read.body]).toEqual([200, { rows: SALES }]);
    const exported = await s.request.post('/api/reports/export').set('authorization', as.analyst);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    expect(exported.text).toBe('region,month,total\nnorth,2026-11,120000\nsouth,2026-11,95000');

    const north = await s.request.get('/api/reports').set('authorization', as.regional);
    expect([north.status, north.body]).toEqual([200, { rows: SALES.filter((row) => row.region === 'north') }]);
    const notExport = await s.request.post('/api/reports/export').set('authorization', as.regional);
    expect([notExport.status, notExport.body.error]).toEqual([403, 'FEATURE_DENIED']);
    expect((await s.request.get('/api/reports').set('authorization', as.nobody)).status).toBe(403);

    // What useAccess() reads: the analyst's level per feature, the regional reader's regions.
    const me = await s.request.get('/api/me').set('authorization', as.regional).expect(200);
    expect(me.body.access.features.reports).toEqual({ level: 'read', levels: { read: ['north'] } });

    // "Check a user" explains it: the feature's level and the rule behind it, the role assigned to the user.
    const check = await s.request
      .get('/api/access/check')
      .query({ user: String(analyst.id) })
      .set('authorization', admin)
      .expect(200);
    const reports = check.body.access.features.find((feature: { feature: string }) => feature.feature === 'reports');
    expect(reports.level).toBe('export');
    expect(reports.levels.map((level: { level: string }) => level.level)).toEqual(['read', 'export']);
    expect(reports.levels.at(-1).reasons).toEqual([
      expect.objectContaining({ kind: 'role', code: `U${analyst.id}`, role: 'analyst' }),
    ]);
    const refused = await s.request
      .get('/api/access/check')
      .query({ user: String(nobody.id) })
      .set('authorization', admin)
      .expect(200);
    expect(
      refused.body.access.features.find((feature: { feature: string }) => feature.feature === 'reports'),
    ).toMatchObject({ level: null, levels: [] });
  });

  it('a route guarded by a feature or level the manifest lacks stops the app from being built', () => {
    const build = (guarded: ApiRoutes) =>
      createApp(testConfig(), {
        keyv: new Keyv({ store: new Map() }),
        clock: testClock(),
        logger: createLogger({ level: 'silent' }),
        fetch: globalThis.fetch,
        manifest: loadManifest(WALKTHROUGH_MANIFEST),
        ui: { template: UI_TEMPLATE },
        apiRoutes: [guarded],
      });
    const guardedBy =
      (feature: string, level: string): ApiRoutes =>
      ({ requireFeature }) =>
        Router().get('/reports', requireFeature(feature, level), (_req, res) => {
          res.json({});
        });
    expect(() => build(guardedBy('reports', 'edit'))).toThrow(
      'route requires reports:edit, which the manifest does not have',
    );
    expect(() => build(guardedBy('stock', 'read'))).toThrow('route requires stock:read');
    expect(() => build(guardedBy('reports', 'export'))).not.toThrow();
    // Without apiRoutes the sample's stock routes are mounted, and this manifest has no stock feature.
    expect(() =>
      createApp(testConfig(), {
        keyv: new Keyv({ store: new Map() }),
        clock: testClock(),
        logger: createLogger({ level: 'silent' }),
        fetch: globalThis.fetch,
        manifest: loadManifest(WALKTHROUGH_MANIFEST),
        ui: { template: UI_TEMPLATE },
      }),
    ).toThrow('route requires stock:read');
  });
});

describe('Build your app on Keycard: the feature placement', () => {
  /** The frame POST Bitrix24 sends when `user` opens the Reports tab of deal 8061. */
  const openTab = (s: DirectoryStack, user: CompanyUser) =>
    framePost(s, user, { placement: 'CRM_DEAL_DETAIL_TAB', placementOptions: '{"ID":"8061"}' });

  it('the installer binds CRM_DEAL_DETAIL_TAB to the app', async () => {
    const s = await walkthroughApp();
    const admin = s.portal.directory.users.find((user) => user.admin && user.active);
    if (admin === undefined) throw new Error('no admin');
    await framePost(s, admin, { path: '/install' }).expect(200);
    await s.background.idle();
    expect(s.portal.installation.placements).toContainEqual(
      expect.objectContaining({ placement: 'CRM_DEAL_DETAIL_TAB', title: 'Reports' }),
    );
  });

  it('the tab opens for a holder of the role, and others get a compact no-access page', async () => {
    const s = await walkthroughApp();
    const [analyst, nobody] = employees(s);
    if (analyst === undefined || nobody === undefined) throw new Error('company too small');
    const admin = await auth(s, 1, true);
    const saved = await save(s, admin, (policy) => ({
      ...policy,
      assignments: [...policy.assignments, { code: `U${analyst.id}`, role: 'analyst' }],
    }));
    expect(saved.status).toBe(200);

    const opened = await openTab(s, analyst);
    expect(opened.status).toBe(200);
    expect(bootstrapOf(opened.text).mode).toBe('app');

    const refused = await openTab(s, nobody);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Sales reports');
    expect(refused.text).not.toContain('keycard-bootstrap');
  });
});
