import { expect } from 'vitest';
import type { Installation } from '../../server/portals/installation-record.js';
import type { harness, TestPortal } from './harness.js';
import { installScopes, installerRequest } from './bitrix-nock.js';

/** Runs a verified installation of `portal` and stores its application token as ONAPPINSTALL would. */
export async function installPortal(h: ReturnType<typeof harness>, portal: TestPortal): Promise<void> {
  const scopes = installScopes(portal);
  const { query, body } = installerRequest(portal, { body: { APPLICATION_TOKEN: portal.applicationToken } });
  const res = await h.request.post('/install').query(query).type('form').send(body);
  expect(res.status).toBe(200);
  for (const scope of scopes) scope.done();
}

/** The stored installation of `memberId`; fails the test when there is none. */
export async function storedPortal(h: ReturnType<typeof harness>, memberId: string): Promise<Installation> {
  const portal = await h.services.installations.get(memberId);
  if (portal === undefined) throw new Error(`no installation stored for ${memberId}`);
  return portal;
}
