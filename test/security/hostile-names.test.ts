import nock from 'nock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addEmployee } from '../emulator/lifecycle.js';
import type { CompanyUser } from '../emulator/company.js';
import { directoryStack, type DirectoryStack } from '../integration/directory-stack.js';
import { bootstrapOf, isolateNetwork } from '../support/harness.js';
import { installerRequest, oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { install, securedHarness, securedPortal } from './support/app.js';
import { frameRequest, sessionOf } from './support/frames.js';
import { itLogsNoSecrets, secret, watchLines } from './support/log-scan.js';

/*
 * Names are data a portal user controls. In the frame page they travel in a JSON bootstrap that must not end
 * its <script> element early (`</script>`), open a comment, or break JS (U+2028); on the access-denied page
 * they are HTML-escaped. The directory API hands them out as JSON only. (The Chromium e2e already checks that
 * no dialog opens; this checks the bytes.)
 */

const acme = securedPortal('acme');
const BREAKOUT = '</script><script>alert(1)</script>';
const HOSTILE_FIRST = `${BREAKOUT}<!--<script>`;
const HOSTILE_LAST = `"><img src=x onerror=alert(2)>\u2028\u2029$&$'$\`</SCRIPT >`;

/** The page runs no script but its bootstrap: one <script> element, which holds JSON that decodes to `name`. */
function expectInertBootstrap(html: string, name: string): void {
  expect(html.match(/<script/gi)).toHaveLength(1);
  expect(html.match(/<\/script/gi)).toHaveLength(1);
  const json = /<script id="keycard-bootstrap" type="application\/json">(.*?)<\/script>/is.exec(html)?.[1] ?? '';
  expect(json).not.toMatch(/[<>&\u2028\u2029]/);
  expect(html).not.toContain('<img');
  expect(html).not.toContain('<!--<script');
  // Escaped, not mangled: the UI shows exactly the name Bitrix24 has.
  expect(bootstrapOf(html).user.name).toBe(name);
  sessionOf(html);
}

describe('frame pages render hostile user names inert (Bitrix24 mocked)', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('POST /install: an installing admin named to break out of the bootstrap', async () => {
    const h = securedHarness();
    oauthAppInfo(acme);
    portalCall(acme, 'profile', { result: { ID: '1', ADMIN: true, NAME: HOSTILE_FIRST, LAST_NAME: HOSTILE_LAST } });
    portalCall(acme, 'event.get', { result: [] });
    portalCall(acme, 'event.bind', { times: 3 });
    portalCall(acme, 'placement.get', { result: [] });
    portalCall(acme, 'placement.bind', { times: 2 });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    expectInertBootstrap(res.text, `${HOSTILE_FIRST} ${HOSTILE_LAST}`);
    await h.background.idle();
  });

  it(`POST /app: a user named ${JSON.stringify(BREAKOUT)}`, async () => {
    const h = securedHarness();
    await install(h, acme);
    const userToken = secret('hostile-name-user-token-1');
    oauthAppInfo(acme, { token: userToken });
    portalCall(acme, 'profile', {
      token: userToken,
      result: { ID: '42', ADMIN: false, NAME: BREAKOUT, LAST_NAME: HOSTILE_LAST },
    });
    portalCall(acme, 'user.get', { result: [] });
    const { query, body } = frameRequest(acme, userToken);
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    expectInertBootstrap(res.text, `${BREAKOUT} ${HOSTILE_LAST}`);
    await h.background.idle();
  });
});

describe('against the portal emulator (its company has hostile names)', () => {
  let s: DirectoryStack | undefined;
  afterAll(async () => {
    await s?.close();
  });

  /** Opens the app as `user`, as the portal's frame POST would. */
  function open(stack: DirectoryStack, user: CompanyUser) {
    const tokens = stack.portal.issueTokens(user.id);
    secret(tokens.accessToken);
    secret(tokens.refreshToken);
    return stack.request
      .post('/app')
      .query({ DOMAIN: stack.portal.host, PROTOCOL: '0', LANG: 'en', APP_SID: 'sid' })
      .type('form')
      .send({
        AUTH_ID: tokens.accessToken,
        AUTH_EXPIRES: '3600',
        REFRESH_ID: tokens.refreshToken,
        member_id: stack.memberId,
        status: 'L',
        PLACEMENT: 'DEFAULT',
      });
  }

  it('an admin and a delegate with hostile names are escaped on the access-denied page; the bootstrap stays inert', async () => {
    const stack = await directoryStack({ users: 120, departments: 12 });
    s = stack;
    watchLines(stack.logLines);
    secret(stack.portal.app.clientSecret);
    secret(stack.portal.installation.applicationToken ?? 'no-application-token-issued');
    // A department an admin renamed in Bitrix24.
    const renamed = stack.portal.directory.department(6);
    if (renamed === undefined) throw new Error('no department 6');
    renamed.name = 'R&D <img src=x onerror=alert(3)></script>';
    await stack.directory.runSync(stack.memberId, 'admin');

    // A newly promoted portal admin whose name breaks out of a script element opens the app.
    const department = stack.portal.directory.users.find((user) => user.id === 5)?.departments[0] ?? 1;
    const admin = addEmployee(
      stack.portal,
      { name: BREAKOUT, lastName: '<img src=x onerror=alert(2)>', departmentId: department },
      stack.portal.defaultUser(),
    );
    admin.admin = true;
    const adminFrame = await open(stack, admin);
    expect(adminFrame.status).toBe(200);
    expectInertBootstrap(adminFrame.text, `${BREAKOUT} <img src=x onerror=alert(2)>`);
    await stack.background.idle();

    // The company's own hostile employees: "<script>alert(1)</script> Scripter" and Imogen '"><img src=x
    // onerror=alert(1)>'.
    const scripter = stack.portal.directory.users.find((user) => user.name === '<script>alert(1)</script>');
    const imogen = stack.portal.directory.users.find((user) => user.lastName.includes('onerror'));
    if (scripter === undefined || imogen === undefined) throw new Error('the emulator company lost its hostile names');
    const scripterFrame = await open(stack, scripter);
    expect(scripterFrame.status).toBe(200);
    expectInertBootstrap(scripterFrame.text, '<script>alert(1)</script> Scripter');

    // The admin delegates access management to Imogen and restricts the app to Scripter's department.
    const auth = `Bearer ${secret(await stack.session({ userId: String(admin.id), isAdmin: true }))}`;
    const current = await stack.request.get('/api/access/policy').set('authorization', auth);
    const { version: _version, ...policy } = current.body.policy;
    const saved = await stack.request
      .put('/api/access/policy')
      .set('authorization', auth)
      .set('if-match', current.body.etag)
      .send({ ...policy, allowList: [`D${department}`], delegates: [`U${imogen.id}`] });
    expect(saved.status).toBe(200);

    const outsider = stack.portal.directory.users.find(
      (user) =>
        user.active &&
        !user.admin &&
        user.type === 'employee' &&
        user.departments.length > 0 &&
        !user.departments.includes(department),
    );
    if (outsider === undefined) throw new Error('no employee outside the department');
    const denied = await open(stack, outsider);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('APP_ACCESS_DENIED');
    // Both names are there, escaped; nothing in the page is markup a name brought in.
    expect(denied.text).toContain(
      '&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62; &#60;img src=x onerror=alert(2)&#62;',
    );
    expect(denied.text).toContain('Imogen &#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(denied.text).not.toMatch(/<script|<img|<\/script/i);
    expect(denied.text).not.toContain('keycard-bootstrap');

    // The directory API hands names out as JSON data, verbatim.
    const departments = await stack.request.get('/api/directory/departments').set('authorization', auth);
    expect(departments.type).toBe('application/json');
    expect(JSON.stringify(departments.body)).toContain(JSON.stringify(renamed.name));
    const users = await stack.request.get('/api/directory/users').query({ q: 'Scripter' }).set('authorization', auth);
    expect(users.type).toBe('application/json');
    expect(users.body.users.map((user: { fullName: string }) => user.fullName)).toContain(
      '<script>alert(1)</script> Scripter',
    );
    await stack.background.idle();
  });
});

itLogsNoSecrets();
