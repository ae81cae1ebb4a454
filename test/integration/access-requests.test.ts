import { afterEach, describe, expect, it } from 'vitest';
import type { CompanyUser } from '../emulator/company.js';
import { notificationsOf } from '../emulator/rest/im.js';
import { bootstrapOf } from '../support/harness.js';
import { directoryStack, employees, framePost, type DirectoryStack } from './directory-stack.js';

/*
 * Access requests (issue 14): a refused employee asks from the no-access page, the app's admins decide in the
 * Requests API, the employee's next open shows the outcome. The real emulator answers `profile`, the OAuth
 * server's `app.info` and `im.notify.system.add`.
 */

const stacks: DirectoryStack[] = [];
async function syncedStack(scopes?: string[]): Promise<DirectoryStack> {
  const created = await directoryStack({
    users: 60,
    departments: 6,
    ...(scopes === undefined ? {} : { scopes }),
  });
  stacks.push(created);
  await created.directory.runSync(created.memberId, 'admin');
  return created;
}

afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

/** Opens the app as `user`, as the portal's frame POST would. */
const open = (s: DirectoryStack, user: CompanyUser, lang = 'en') => framePost(s, user, { lang });

async function adminAuth(s: DirectoryStack): Promise<string> {
  return `Bearer ${await s.session({ userId: String(s.portal.defaultUser().id), isAdmin: true })}`;
}

/** Restricts the app to one employee (`U<id>`), as the admin would; returns the two people. */
async function restricted(s: DirectoryStack): Promise<{ inside: CompanyUser; outside: CompanyUser }> {
  const [inside, outside] = employees(s);
  if (inside === undefined || outside === undefined) throw new Error('no employees');
  const admin = await adminAuth(s);
  const current = await s.request.get('/api/access/policy').set('authorization', admin);
  const { version: _version, ...policy } = current.body.policy;
  await s.request
    .put('/api/access/policy')
    .set('authorization', admin)
    .set('if-match', current.body.etag)
    .send({ ...policy, allowList: [`U${inside.id}`] })
    .expect(200);
  return { inside, outside };
}

function ticketOf(html: string): string {
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
  if (ticket === undefined) throw new Error('no request form on the page');
  return ticket;
}

function file(s: DirectoryStack, ticket: string, message: string) {
  return s.request.post('/app/access-request').type('form').send({ ticket, message });
}

async function policyEtag(s: DirectoryStack): Promise<string> {
  const current = await s.request.get('/api/access/policy').set('authorization', await adminAuth(s));
  return String(current.headers['etag']);
}

describe('access requests', () => {
  it('a refused employee asks, sees "pending" next time; the admin approves to the allow-list; the next open gets in, audited', async () => {
    const s = await syncedStack();
    expect((await open(s, s.portal.defaultUser())).status).toBe(200);
    await s.background.idle();
    const { outside } = await restricted(s);

    const denied = await open(s, outside);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('Request access');
    expect(denied.text).toContain('maxlength="500"');
    expect(denied.headers['content-security-policy']).toContain("form-action 'self'");

    const sent = await file(s, ticketOf(denied.text), 'Please, I need the stock page.');
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('Request sent');
    expect(sent.text).toMatch(/Your request of .* is pending/);
    expect(sent.text).not.toContain('name="ticket"');
    expect(sent.headers['content-security-policy']).toContain(`frame-ancestors ${s.portal.origin}`);

    const again = await open(s, outside);
    expect(again.text).toMatch(/Your request of .* is pending/);
    expect(again.text).not.toContain('name="ticket"');

    const admin = await adminAuth(s);
    expect((await s.request.get('/api/access-requests/count').set('authorization', admin)).body).toEqual({ open: 1 });
    const list = await s.request.get('/api/access-requests').set('authorization', admin).expect(200);
    const [request] = list.body.requests;
    expect(request).toMatchObject({
      userId: String(outside.id),
      status: 'open',
      message: 'Please, I need the stock page.',
    });

    // A stale ETag changes nothing.
    await s.request
      .post(`/api/access-requests/${request.id}/approve`)
      .set('authorization', admin)
      .set('if-match', '"0-stale"')
      .send({ as: 'allowList' })
      .expect(409);
    expect((await s.request.get('/api/access-requests/count').set('authorization', admin)).body).toEqual({ open: 1 });

    const approved = await s.request
      .post(`/api/access-requests/${request.id}/approve`)
      .set('authorization', admin)
      .set('if-match', await policyEtag(s))
      .send({ as: 'allowList' })
      .expect(200);
    expect(approved.body.request).toMatchObject({ status: 'approved', approvedAs: { kind: 'allowList' } });
    expect(approved.body.policy.policy.allowList).toContain(`U${outside.id}`);

    const audit = await s.request.get('/api/audit').set('authorization', admin).expect(200);
    expect(audit.body.entries[0].source).toEqual({ kind: 'request', id: request.id, name: request.name });

    // Deciding twice is a conflict.
    const twice = await s.request
      .post(`/api/access-requests/${request.id}/decline`)
      .set('authorization', admin)
      .send({ reason: 'no' })
      .expect(409);
    expect(twice.body.error).toBe('REQUEST_DECIDED');

    const next = await open(s, outside);
    expect(next.status).toBe(200);
    expect(bootstrapOf(next.text).user.id).toBe(String(outside.id));
  });

  it('approving to a role gives the role and the allow-list entry the approval needs; employees cannot use the API', async () => {
    const s = await syncedStack();
    const { outside, inside } = await restricted(s);
    await file(s, ticketOf((await open(s, outside)).text), '').expect(200);
    const admin = await adminAuth(s);
    const [request] = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
    const employee = `Bearer ${await s.session({ userId: String(inside.id), isAdmin: false })}`;
    await s.request.get('/api/access-requests').set('authorization', employee).expect(403);

    const policy = (await s.request.get('/api/access/policy').set('authorization', admin)).body.policy;
    const role = policy.roles.find((item: { key: string }) => item.key !== 'admin')?.key ?? 'manager';
    const approved = await s.request
      .post(`/api/access-requests/${request.id}/approve`)
      .set('authorization', admin)
      .set('if-match', await policyEtag(s))
      .send({ as: 'role', role })
      .expect(200);
    expect(approved.body.policy.policy.assignments).toContainEqual({ code: `U${outside.id}`, role });
    expect(approved.body.policy.policy.allowList).toContain(`U${outside.id}`);
    expect((await open(s, outside)).status).toBe(200);
  });

  it('a declined request shows who declined and why (inert), and the employee may ask again', async () => {
    const s = await syncedStack();
    const { outside } = await restricted(s);
    await file(s, ticketOf((await open(s, outside)).text), 'hi').expect(200);
    const admin = await adminAuth(s);
    const [request] = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
    await s.request
      .post(`/api/access-requests/${request.id}/decline`)
      .set('authorization', admin)
      .send({ reason: '   ' })
      .expect(400);
    await s.request
      .post(`/api/access-requests/${request.id}/decline`)
      .set('authorization', admin)
      .send({ reason: 'Not in <b>this</b> quarter </script><img src=x onerror=alert(1)>' })
      .expect(200);
    const next = await open(s, outside);
    expect(next.status).toBe(403);
    expect(next.text).toContain('Declined by Test User');
    expect(next.text).toContain(
      'Not in &#60;b&#62;this&#60;/b&#62; quarter &#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;',
    );
    expect(next.text).not.toContain('<img src=x');
    expect(next.text).toContain('name="ticket"');
  });

  it('hostile and oversized messages: stored as inert text, or refused with nothing stored', async () => {
    const s = await syncedStack();
    const { outside } = await restricted(s);
    const ticket = ticketOf((await open(s, outside)).text);
    const long = await file(s, ticket, 'x'.repeat(501));
    expect(long.status).toBe(400);
    expect(long.text).toContain('Your message is too long');
    const admin = await adminAuth(s);
    expect((await s.request.get('/api/access-requests').set('authorization', admin)).body.requests).toEqual([]);

    const hostile = '<img src=x onerror=alert(1)></script>\u0000\u202e[URL=https://evil]x[/URL]';
    await file(s, ticket, hostile).expect(200);
    const [request] = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
    expect(request.message).toBe('<img src=x onerror=alert(1)></script>[URL=https://evil]x[/URL]');
  });

  it('forged, expired or session tokens are refused as tickets, and a ticket is not a session', async () => {
    const s = await syncedStack();
    const { outside } = await restricted(s);
    const ticket = ticketOf((await open(s, outside)).text);
    expect((await file(s, `${ticket.slice(0, -3)}abc`, 'x')).status).toBe(400);
    expect((await file(s, await s.session({ userId: String(outside.id), isAdmin: false }), 'x')).status).toBe(400);
    await s.request.get('/api/me').set('authorization', `Bearer ${ticket}`).expect(401);
    const admin = await adminAuth(s);
    expect((await s.request.get('/api/access-requests').set('authorization', admin)).body.requests).toEqual([]);
  });

  it('someone who may open the app now cannot file; two filings at once store one; the fourth in a day is 429', async () => {
    const s = await syncedStack();
    const { outside, inside } = await restricted(s);
    const insideTicket = await s.services.sessions.issueTicket({
      memberId: s.memberId,
      userId: String(inside.id),
      name: 'Inside',
      isAdmin: false,
      lang: 'en',
    });
    const refused = await file(s, insideTicket, 'let me in');
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('You already have access');

    const ticket = ticketOf((await open(s, outside)).text);
    const results = await Promise.all(Array.from({ length: 5 }, () => file(s, ticket, 'at once')));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(results.filter((res) => res.status === 409)).toHaveLength(4);

    const admin = await adminAuth(s);
    for (let round = 0; round < 3; round++) {
      const [open] = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
      await s.request
        .post(`/api/access-requests/${open.id}/decline`)
        .set('authorization', admin)
        .send({ reason: 'no' })
        .expect(200);
      if (round < 2) await file(s, ticket, `again ${round}`).expect(200);
    }
    const limited = await file(s, ticket, 'fourth');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The page no longer offers the form.
    expect((await open(s, outside)).text).not.toContain('name="ticket"');
  });

  it('from a placement: someone who opens the app but lacks the feature may ask for it, and the feature is kept', async () => {
    const s = await syncedStack();
    const { inside } = await restricted(s);
    const ticket = await s.services.sessions.issueTicket({
      memberId: s.memberId,
      userId: String(inside.id),
      name: 'Inside',
      isAdmin: false,
      lang: 'en',
      // Admin-only in the test manifest: an employee never holds it.
      feature: 'settings',
    });
    const sent = await file(s, ticket, 'for the settings page').expect(200);
    // The answer stays the tab's compact page, naming the feature asked for.
    expect(sent.text).toContain('data-compact="true"');
    expect(sent.text).toContain('App settings');
    expect(sent.text).toContain('Request sent');
    const admin = await adminAuth(s);
    const [request] = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
    expect(request).toMatchObject({ userId: String(inside.id), feature: 'settings', status: 'open' });

    // "Approved" means they get in: the allow-list (they are on it) or a role cannot give an admin-only feature.
    for (const as of [{ as: 'allowList' }, { as: 'role', role: 'administrator' }]) {
      const refused = await s.request
        .post(`/api/access-requests/${request.id}/approve`)
        .set('authorization', admin)
        .set('if-match', await policyEtag(s))
        .send(as);
      expect([as.as, refused.status, refused.body.error]).toEqual([as.as, 400, 'INVALID_DECISION']);
      expect(refused.body.message).toContain('App settings');
    }
    const after = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
    expect(after[0]).toMatchObject({ id: request.id, status: 'open' });
  });

  it('a decline arriving while an approval saves: one wins, and the settings agree with it', async () => {
    const s = await syncedStack();
    expect((await open(s, s.portal.defaultUser())).status).toBe(200);
    await s.background.idle();
    const { outside } = await restricted(s);
    await file(s, ticketOf((await open(s, outside)).text), 'please').expect(200);
    const admin = await adminAuth(s);
    const [request] = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
    const etag = await policyEtag(s);
    // The decline is sent while the approval's policy save is under way, and given time to land before it ends.
    const policies = s.services.policies;
    const save = policies.save.bind(policies);
    let declined: Promise<{ status: number }> | undefined;
    policies.save = async (...args) => {
      declined ??= s.request
        .post(`/api/access-requests/${request.id}/decline`)
        .set('authorization', admin)
        .send({ reason: 'not now' })
        .then((res) => res);
      await Promise.race([declined, new Promise((resolve) => setTimeout(resolve, 300))]);
      return save(...args);
    };
    const approve = await s.request
      .post(`/api/access-requests/${request.id}/approve`)
      .set('authorization', admin)
      .set('if-match', etag)
      .send({ as: 'allowList' });
    const decline = await declined;
    policies.save = save;
    expect([approve.status, decline?.status]).toEqual([200, 409]);
    const [after] = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
    const { allowList } = (await s.request.get('/api/access/policy').set('authorization', admin)).body.policy;
    expect(after.status).toBe('approved');
    expect(allowList).toContain(`U${outside.id}`);
  });

  it('another portal’s requests are invisible: its ids are 404 here', async () => {
    const s = await syncedStack();
    const theirs = await s.services.requests.file(
      'other-member-id',
      { userId: '5', name: 'Elsewhere', message: 'hi' },
      () => undefined,
    );
    const admin = await adminAuth(s);
    expect((await s.request.get('/api/access-requests').set('authorization', admin)).body.requests).toEqual([]);
    const approve = await s.request
      .post(`/api/access-requests/${theirs.id}/approve`)
      .set('authorization', admin)
      .set('if-match', await policyEtag(s))
      .send({ as: 'allowList' });
    expect(approve.status).toBe(404);
    expect(approve.body.error).toBe('REQUEST_NOT_FOUND');
    await s.request
      .post(`/api/access-requests/${theirs.id}/decline`)
      .set('authorization', admin)
      .send({ reason: 'x' })
      .expect(404);
  });

  it('with the im scope the admins are notified with a tag and a link, and the requester of the decision', async () => {
    const s = await syncedStack(['user_brief', 'department', 'placement', 'im']);
    const adminUser = s.portal.defaultUser();
    expect((await open(s, adminUser)).status).toBe(200);
    await s.background.idle();
    const { outside } = await restricted(s);
    await file(s, ticketOf((await open(s, outside)).text), 'need [B]it[/B] please').expect(200);
    await s.background.idle();
    const [note] = notificationsOf(s.portal, adminUser.id);
    const admin = await adminAuth(s);
    const [request] = (await s.request.get('/api/access-requests').set('authorization', admin)).body.requests;
    expect(note?.type).toBe('SYSTEM');
    expect(note?.tag).toBe(`KEYCARD|REQUEST|${request.id}`);
    expect(note?.message).toContain(
      `[URL=https://${s.portal.host}/marketplace/view/${s.portal.app.code}/?params%5Bview%5D=requests&params%5Bid%5D=${request.id}]`,
    );
    expect(note?.message).toContain('need Bit/B please');
    expect(notificationsOf(s.portal, outside.id)).toEqual([]);

    await s.request
      .post(`/api/access-requests/${request.id}/decline`)
      .set('authorization', admin)
      .send({ reason: 'Ask your manager first' })
      .expect(200);
    await s.background.idle();
    const [told] = notificationsOf(s.portal, outside.id);
    expect(told?.message).toContain('declined your request');
    expect(told?.message).toContain('Ask your manager first');
  });

  it('without the im scope nothing is sent, and the admins still see the count', async () => {
    const s = await syncedStack();
    const adminUser = s.portal.defaultUser();
    expect((await open(s, adminUser)).status).toBe(200);
    await s.background.idle();
    const { outside } = await restricted(s);
    s.portal.resetCounters();
    await file(s, ticketOf((await open(s, outside)).text), 'hello').expect(200);
    await s.background.idle();
    expect(notificationsOf(s.portal, adminUser.id)).toEqual([]);
    expect(s.portal.counters.byMethod['im.notify.system.add']).toBeUndefined();
    const admin = await adminAuth(s);
    expect((await s.request.get('/api/access-requests/count').set('authorization', admin)).body).toEqual({ open: 1 });
  });

  it('an uninstall with "clear data" purges the portal’s requests', async () => {
    const s = await syncedStack();
    const { outside } = await restricted(s);
    await file(s, ticketOf((await open(s, outside)).text), 'hello').expect(200);
    const keys = () =>
      [...(s.store.store instanceof Map ? s.store.store.keys() : [])]
        .map(String)
        .filter((key) => key.includes('requests:'));
    expect(keys().length).toBeGreaterThan(0);
    expect(s.services.dataOwners).toContain(s.services.requests);
    // What the uninstall with CLEAN=1 runs (portals/uninstall.ts purgeEverywhere).
    for (const owner of s.services.dataOwners) await owner.purgePortal(s.memberId);
    expect(keys()).toEqual([]);
  });
});
