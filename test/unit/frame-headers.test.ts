import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { setFramePageHeaders } from '../../server/http/frame-headers.js';

async function policyFor(ancestors: string[]): Promise<Map<string, string[]>> {
  const app = express();
  app.get('/', (_req, res) => {
    setFramePageHeaders(res, ancestors);
    res.send('ok');
  });
  const res = await request(app).get('/');
  const header = String(res.headers['content-security-policy']);
  return new Map(
    header.split(';').map((directive) => {
      const [name = '', ...sources] = directive.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('setFramePageHeaders', () => {
  it('lets the page show avatars from the portal that frames it, even a plain-http one (issue 13, point 14)', async () => {
    const policy = await policyFor(['http://localhost:4000']);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'https:', 'http://localhost:4000']);
    expect(policy.get('frame-ancestors')).toEqual(['http://localhost:4000']);
  });

  it('keeps https portals (and their CDN) under https: and adds no http source for them', async () => {
    const policy = await policyFor(['https://acme.bitrix24.com']);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'https:']);
    expect(policy.get('script-src')).toEqual(["'self'"]);
  });
});
