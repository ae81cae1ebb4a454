// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_ELEMENT_ID, parseBootstrap, readBootstrap } from '../../client/bootstrap';

const valid = {
  mode: 'app',
  lang: 'ru',
  session: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
  user: { id: '17', name: 'Анна Петрова', isAdmin: null },
  portal: { domain: 'acme.bitrix24.com' },
};

describe('parseBootstrap', () => {
  it('accepts a valid bootstrap and keeps every field', () => {
    const result = parseBootstrap(JSON.stringify(valid));
    expect(result).toEqual({ ok: true, bootstrap: valid });
  });

  it('reports missing data', () => {
    for (const text of [null, undefined, '', '   ']) {
      const result = parseBootstrap(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem.reason).toBe('missing');
    }
  });

  it('reports text that is not JSON', () => {
    const result = parseBootstrap('{"mode": "app",');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.reason).toBe('malformed');
      expect(result.problem.detail).toMatch(/not JSON/);
    }
  });

  it('names every invalid field without echoing values such as the session', () => {
    const secret = 'should-not-appear';
    const result = parseBootstrap(
      JSON.stringify({ ...valid, mode: 'admin', session: '', user: { id: secret, name: 'x' }, portal: {} }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.reason).toBe('invalid');
      for (const field of ['mode', 'session', 'user.isAdmin', 'portal.domain']) {
        expect(result.problem.detail).toContain(field);
      }
      expect(result.problem.detail).not.toContain(secret);
    }
  });

  it('rejects a language the UI has no dictionary for', () => {
    const result = parseBootstrap(JSON.stringify({ ...valid, lang: 'de' }));
    expect(result.ok).toBe(false);
  });
});

describe('readBootstrap', () => {
  it('reads the JSON script element the server renders', () => {
    document.body.innerHTML = `<div id="app"></div><script id="${BOOTSTRAP_ELEMENT_ID}" type="application/json">${JSON.stringify(valid).replace(/</g, '\\u003c')}</script>`;
    const result = readBootstrap(document);
    expect(result.ok && result.bootstrap.user.name).toBe('Анна Петрова');
  });

  it('reports a page where the marker was never replaced', () => {
    document.body.innerHTML = '<div id="app"></div><!--keycard-bootstrap-->';
    const result = readBootstrap(document);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.reason).toBe('missing');
  });
});
