import { describe, expect, it } from 'vitest';
import { SessionTokens, TICKET_TTL_SECONDS } from '../../server/http/session-tokens.js';
import { renderNoAccessPage } from '../../server/http/pages/no-access-page.js';
import { boundedText, MAX_FILINGS, plainText, REQUEST_WINDOW_MS } from '../../server/requests/access-request.js';
import { filingRule, nextFilingAt } from '../../server/requests/filing-rules.js';
import { bbText, tagOf } from '../../server/requests/notifier.js';
import { AppError } from '../../server/errors.js';

const HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';

describe('request messages', () => {
  it('strip control and direction characters, keep line breaks, trim', () => {
    expect(plainText('  hi\u0000 there\r\nnext\u202e line\u0007  ')).toBe('hi there\nnext line');
  });

  it('are refused above 500 characters (after trimming), counted in characters not UTF-16 units', () => {
    expect(boundedText(`  ${'x'.repeat(500)}  `)).toHaveLength(500);
    expect(boundedText('x'.repeat(501))).toBeNull();
    expect(boundedText('😀'.repeat(500))).not.toBeNull();
  });

  it('in a notification lose BB code brackets, stay on one line and are cut', () => {
    expect(bbText('[URL=https://evil]click[/URL]\n[B]x[/B]', 100)).toBe('URL=https://evilclick/URL Bx/B');
    expect(bbText('abcdef', 4)).toBe('abc…');
    expect(tagOf({ id: 'r1' })).toBe('KEYCARD|REQUEST|r1');
  });
});

describe('filing rules', () => {
  const clock = { now: () => 10 * REQUEST_WINDOW_MS };
  it('refuse while a request is open, and after MAX_FILINGS in 24 hours with Retry-After', () => {
    const rule = filingRule(clock);
    const open = {
      id: 'a',
      memberId: 'm',
      userId: '1',
      name: 'A',
      message: '',
      status: 'open' as const,
      createdAt: 0,
    };
    expect(() => rule({ open, filedAt: [] })).toThrow(expect.objectContaining({ code: 'REQUEST_ALREADY_OPEN' }));
    const now = clock.now();
    const filedAt = Array.from({ length: MAX_FILINGS }, (_, i) => now - 3600_000 * (i + 1));
    try {
      rule({ open: undefined, filedAt });
      expect.unreachable();
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(AppError);
      if (!(error instanceof AppError)) return;
      expect(error.code).toBe('REQUEST_LIMIT');
      expect(error.status).toBe(429);
      expect(error.retryAfterSeconds).toBe((REQUEST_WINDOW_MS - 3 * 3600_000) / 1000);
    }
    expect(() => rule({ open: undefined, filedAt: filedAt.slice(1) })).not.toThrow();
    expect(nextFilingAt({ open: undefined, filedAt: [now - REQUEST_WINDOW_MS - 1, now, now] }, clock)).toBeNull();
  });
});

describe('request tickets', () => {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const tokens = new SessionTokens({ secretKeys: ['ticket-test-secret-0123456789abcdef'], issuer: 'https://k', clock });
  const ticket = { memberId: 'm1', userId: '7', name: 'Ann', isAdmin: false, lang: 'en' as const, feature: 'stock' };

  it('round-trip, and are refused when forged, expired, signed by another key or used as a session', async () => {
    const signed = await tokens.issueTicket(ticket);
    expect(await tokens.verifyTicket(signed)).toEqual(ticket);
    await expect(tokens.verifyTicket(`${signed.slice(0, -2)}xx`)).rejects.toMatchObject({
      code: 'REQUEST_TICKET_INVALID',
    });
    const other = new SessionTokens({ secretKeys: ['another-secret-0123456789abcdef012'], issuer: 'https://k', clock });
    await expect(tokens.verifyTicket(await other.issueTicket(ticket))).rejects.toMatchObject({ status: 400 });
    await expect(tokens.verify(signed)).rejects.toMatchObject({ code: 'SESSION_INVALID' });
    const session = await tokens.issue({ memberId: 'm1', userId: '7', isAdmin: false, lang: 'en', name: 'Ann' });
    await expect(tokens.verifyTicket(session)).rejects.toMatchObject({ code: 'REQUEST_TICKET_INVALID' });
    now += (TICKET_TTL_SECONDS + 1) * 1000;
    await expect(tokens.verifyTicket(signed)).rejects.toMatchObject({ code: 'REQUEST_TICKET_INVALID' });
  });
});

describe('the no-access page', () => {
  const form = { action: 'https://keycard.example/app/access-request', ticket: 'T"<>' };

  it('offers the form (full and compact), escaping every name and text', () => {
    const full = renderNoAccessPage({ lang: 'en', askLines: [HOSTILE], form });
    expect(full).toContain('Request access');
    expect(full).toContain('maxlength="500"');
    expect(full).toContain('value="T&#34;&#60;&#62;"');
    expect(full).not.toContain('<img');
    expect(full).not.toContain('<script>');
    expect(full).not.toContain('class="compact"');
    const compact = renderNoAccessPage({ lang: 'ru', askLines: ['Анна'], form, compact: true, featureTitle: HOSTILE });
    expect(compact).toContain('<body class="compact">');
    expect(compact).toContain('Запросить доступ');
    expect(compact).toContain('У вас нет доступа к разделу');
    expect(compact).not.toContain('<img');
  });

  it('shows a pending request without the form, and a declined one with who, when and the escaped reason', () => {
    const pending = renderNoAccessPage({
      lang: 'en',
      askLines: [],
      latest: { status: 'open', createdAt: Date.UTC(2026, 11, 7, 9, 30) },
    });
    expect(pending).toContain('Your request of 7 Dec 2026, 09:30 is pending.');
    expect(pending).not.toContain('<form');
    const declined = renderNoAccessPage({
      lang: 'en',
      askLines: [],
      latest: {
        status: 'declined',
        createdAt: 0,
        decidedAt: Date.UTC(2026, 11, 7),
        decidedBy: { name: HOSTILE },
        reason: HOSTILE,
      },
      form,
    });
    expect(declined).toContain('Declined by &#60;img');
    expect(declined).not.toContain('<img');
    expect(declined).not.toContain('</script><script>');
    expect(declined).toContain('You may ask again');
  });
});
