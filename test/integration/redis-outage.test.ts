import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Keyv } from 'keyv';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { createRedisClient } from '../../server/store/redis-client.js';
import { RedisLocks } from '../../server/store/redis-locks.js';
import { systemClock } from '../../server/clock.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { directoryStack, type DirectoryStack } from './directory-stack.js';

/*
 * Redis stops under a running instance: nothing is granted on a failed read — /readyz fails, the frame
 * shows "temporarily unavailable", the API answers 503 — and when Redis returns, service resumes without
 * a restart.
 */
describe('Redis outage', () => {
  let redis: RedisServer;
  let store: Keyv;
  let s: DirectoryStack;

  beforeAll(async () => {
    redis = await startRedis({ persist: true });
    const client = createRedisClient(redis.url);
    client.on('error', () => undefined);
    await client.connect();
    store = createKeyv(redis.url, client);
    s = await directoryStack({
      users: 80,
      departments: 6,
      store,
      locks: new RedisLocks({ redis: client, clock: systemClock }),
      cacheReads: false,
    });
    await s.directory.runSync(s.memberId, 'admin');
  });

  afterAll(async () => {
    await s?.close();
    await store?.disconnect().catch(() => undefined);
    await redis?.stop();
  });

  const employee = () => {
    const found = s.portal.directory.users.find(
      (user) => user.active && !user.admin && user.type === 'employee' && user.departments.length > 0,
    );
    if (found === undefined) throw new Error('no employee');
    return found;
  };
  const open = () => {
    const tokens = s.portal.issueTokens(employee().id);
    return s.request
      .post('/app')
      .query({ DOMAIN: s.portal.host, PROTOCOL: '0', LANG: 'en', APP_SID: 'sid' })
      .type('form')
      .send({
        AUTH_ID: tokens.accessToken,
        AUTH_EXPIRES: '3600',
        REFRESH_ID: tokens.refreshToken,
        member_id: s.memberId,
        status: 'L',
        PLACEMENT: 'DEFAULT',
      });
  };

  it('refuses while Redis is down and serves again once it is back, without a restart', async () => {
    const auth = `Bearer ${await s.session({ userId: String(employee().id), isAdmin: false })}`;
    expect((await open()).status).toBe(200);
    expect((await s.request.get('/api/me').set('authorization', auth)).status).toBe(200);

    await redis.stop();
    expect((await s.request.get('/readyz')).status).toBe(503);
    const page = await open();
    expect(page.status).toBe(503);
    expect(page.text).toContain('temporarily unavailable');
    expect(page.text).not.toContain('keycard-bootstrap');
    for (const path of ['/api/me', '/api/directory/departments', '/api/access/policy', '/api/stock']) {
      const res = await s.request.get(path).set('authorization', auth);
      expect(res.status, path).toBe(503);
      expect(res.body.error, path).toBe('STORE_UNAVAILABLE');
    }

    await redis.start();
    await expect
      .poll(async () => (await s.request.get('/readyz')).status, { timeout: 15_000, interval: 200 })
      .toBe(200);
    expect((await open()).status).toBe(200);
    expect((await s.request.get('/api/me').set('authorization', auth)).status).toBe(200);
  });
});
