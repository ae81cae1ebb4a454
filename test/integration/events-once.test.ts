import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addEmployee } from '../emulator/lifecycle.js';
import { startKeycardInstance, type KeycardProcess } from '../support/keycard-process.js';
import { call, until, waitForMirror } from '../support/keycard-http.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { sharedPortal, type SharedPortal } from '../support/shared-portal.js';

/*
 * One event delivery that reaches two Keycard instances (two processes started as `npm start` starts them, on
 * one Redis) at the same moment — a retry racing the original, or a balancer that sent it twice — is acted on
 * once: one instance answers "accepted" and fetches the user, the other "ignored", and the portal sees one
 * `user.get`.
 */
describe('events on two instances', () => {
  let redis: RedisServer;
  let shared: SharedPortal;
  let a: KeycardProcess;
  let b: KeycardProcess;
  let admin: string;

  beforeAll(async () => {
    redis = await startRedis();
    shared = await sharedPortal({ company: { users: 60, seed: 11 } });
    const env = { ...shared.env(redis.url), LOG_LEVEL: 'info' };
    [a, b] = await Promise.all([startKeycardInstance({ env }), startKeycardInstance({ env })]);
    shared.deliverEventsTo([a.url]);
    await shared.install(a.url);
    admin = await shared.bearer({ userId: '1', isAdmin: true });
    await waitForMirror(a.url, admin);
    // From now on the portal's every event reaches both instances at once.
    shared.deliverEventsTo([a.url, b.url]);
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await shared?.close();
    await redis?.stop();
  });

  it('ONUSERADD delivered to both instances at the same moment is acted on once', async () => {
    const { portal } = shared;
    const [department] = portal.directory.departments;
    if (department === undefined) throw new Error('no department');
    for (let hire = 1; hire <= 5; hire++) {
      portal.resetCounters();
      shared.eventAnswers.splice(0);
      const user = addEmployee(
        portal,
        { name: 'New', lastName: `Hire${hire}`, departmentId: department.id },
        portal.defaultUser(),
      );
      await shared.emulator.flushEvents();
      expect(shared.eventAnswers.map((answer) => [answer.status, answer.body].join(' ')).sort()).toEqual([
        '200 {"result":"accepted"}',
        '200 {"result":"ignored"}',
      ]);
      // The instance that accepted it fetches the user; both then list them.
      for (const instance of [a, b]) {
        await until(`Hire${hire} on ${instance.url}`, async () => {
          const res = await call(instance.url, `/api/directory/users?q=Hire${hire}`, { bearer: admin });
          return res.text.includes(`"id":${user.id}`) || res.text.includes(`"id":"${user.id}"`);
        });
      }
      expect(portal.counters.byMethod['user.get']).toBe(1);
    }
  });
});
