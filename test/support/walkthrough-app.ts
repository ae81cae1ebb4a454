/**
 * The app the README's "Build your app on Keycard" builds: a `reports` feature (Sales reports, levels read and
 * export, limited by region) declared in test/support/manifest-walkthrough.json, its API routes and its regions.
 * test/integration/build-your-app.test.ts runs it; the README quotes this file, and a test keeps them alike.
 */
import { Router } from 'express';
import { allowedResources } from '../../server/access/index.js';
import type { ApiRoutes } from '../../server/http/api-routes.js';
import type { ResourceCatalog } from '../../server/stock/resource-catalog.js';

export const WALKTHROUGH_MANIFEST = 'test/support/manifest-walkthrough.json';

/** The app's own data: fixed, so every answer can be asserted. */
export const SALES = [
  { region: 'north', month: '2026-11', total: 120_000 },
  { region: 'south', month: '2026-11', total: 95_000 },
];

/** The regions roles can limit `reports` to (the resource type `region`). */
export const regionCatalog: ResourceCatalog = {
  list: (_memberId, type, lang) =>
    Promise.resolve(
      type === 'region'
        ? [
            { id: 'north', name: lang === 'ru' ? 'Север' : 'North' },
            { id: 'south', name: lang === 'ru' ? 'Юг' : 'South' },
          ]
        : [],
    ),
};

// README: reports routes (begin)
export const reportsRoutes: ApiRoutes = ({ requireFeature, access }) => {
  const router = Router();

  router.get('/reports', requireFeature('reports', 'read'), async (req, res) => {
    const { index, subject } = await access(req);
    const regions = allowedResources(index, subject, 'reports', 'read');
    res.json({ rows: SALES.filter((row) => regions === 'all' || regions.has(row.region)) });
  });

  router.post('/reports/export', requireFeature('reports', 'export'), async (req, res) => {
    const { index, subject } = await access(req);
    const regions = allowedResources(index, subject, 'reports', 'export');
    const rows = SALES.filter((row) => regions === 'all' || regions.has(row.region));
    res.type('text/csv').send(['region,month,total', ...rows.map((row) => Object.values(row).join(','))].join('\n'));
  });

  return router;
};
// README: reports routes (end)
