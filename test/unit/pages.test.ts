import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_MARKER, renderAppShell, type Bootstrap } from '../../server/http/pages/app-shell.js';
import { escapeHtml, renderMessagePage } from '../../server/http/pages/message-page.js';

const TEMPLATE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Keycard</title>
    <script type="module" src="/assets/index.js"></script>
  </head>
  <body>
    <div id="app"></div>
    ${BOOTSTRAP_MARKER}
  </body>
</html>
`;

function bootstrap(name: string, overrides: Partial<Bootstrap> = {}): Bootstrap {
  return {
    mode: 'app',
    lang: 'en',
    session: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    user: { id: '7', name, isAdmin: null },
    portal: { domain: 'acme.bitrix24.com' },
    ...overrides,
  };
}

/** The text between the bootstrap tag and the first `</script>` after it, as a browser would cut it. */
function bootstrapTagContent(html: string): string {
  const open = '<script id="keycard-bootstrap" type="application/json">';
  const start = html.indexOf(open);
  expect(start).toBeGreaterThanOrEqual(0);
  const contentStart = start + open.length;
  const end = html.toLowerCase().indexOf('</script', contentStart);
  expect(end).toBeGreaterThan(contentStart);
  return html.slice(contentStart, end);
}

const hostileNames = [
  '</script><script>alert(1)</script>',
  '</SCRIPT><img src=x onerror=alert(1)>',
  '<!--',
  '<!-- <script>',
  'line\u2028separator\u2029paragraph',
  'amp & "quotes" \'single\'',
  "$& $' $` $$ replacement patterns",
  '\u0000 null and \\ backslash',
];

describe('renderAppShell', () => {
  it.each(hostileNames)('keeps the user name %j inert and recoverable', (name) => {
    const data = bootstrap(name);
    const html = renderAppShell(TEMPLATE, data);
    const content = bootstrapTagContent(html);

    expect(content).not.toMatch(/<\/script/i);
    expect(content).not.toContain('<!--');
    expect(content).not.toContain('<');
    expect(content).not.toContain('>');
    expect(content).not.toContain('\u2028');
    expect(content).not.toContain('\u2029');
    const parsed: unknown = JSON.parse(content);
    expect(parsed).toEqual(data);
    // Nothing after the tag was disturbed: the template's own tail is intact.
    expect(html.slice(html.indexOf(content) + content.length)).toBe('</script>\n  </body>\n</html>\n');
  });

  it('replaces the marker once and keeps the rest of the template', () => {
    const html = renderAppShell(TEMPLATE, bootstrap('Anna'));
    expect(html).not.toContain(BOOTSTRAP_MARKER);
    expect(html.match(/id="keycard-bootstrap"/g)).toHaveLength(1);
    expect(html).toContain('<script type="module" src="/assets/index.js"></script>');
    expect(html).toContain('<div id="app"></div>');
  });

  it.each(['en', 'ru'] as const)('sets <html lang> to %s', (lang) => {
    const html = renderAppShell(TEMPLATE, bootstrap('Anna', { lang }));
    expect(html).toContain(`<html lang="${lang}">`);
    expect(html.match(/<html lang=/g)).toHaveLength(1);
  });

  it.each(['en', 'ru'] as const)('preloads only the %s dictionary', (lang) => {
    // As vite.config.ts languagePreload writes them into the built index.html.
    const preloads = `
    <link rel="modulepreload" crossorigin href="/assets/en-a1.js" data-keycard-lang="en">
    <link rel="modulepreload" crossorigin href="/assets/ru-b2.js" data-keycard-lang="ru">`;
    const html = renderAppShell(TEMPLATE.replace('</head>', `${preloads}\n  </head>`), bootstrap('Anna', { lang }));
    expect(html.match(/data-keycard-lang="(\w+)"/g)).toEqual([`data-keycard-lang="${lang}"`]);
    expect(html).toContain(`href="/assets/${lang === 'en' ? 'en-a1' : 'ru-b2'}.js"`);
    expect(html).toContain('<script type="module" src="/assets/index.js"></script>');
  });

  it('keeps hostile text in other fields inert too', () => {
    const data = bootstrap('Anna', { portal: { domain: '</script><b>x' }, session: '<!--' });
    const content = bootstrapTagContent(renderAppShell(TEMPLATE, data));
    expect(content).not.toContain('<');
    const parsed: unknown = JSON.parse(content);
    expect(parsed).toEqual(data);
  });
});

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&#60;script&#62;alert(1)&#60;/script&#62;'],
    ['a & b', 'a &#38; b'],
    ['"double" \'single\'', '&#34;double&#34; &#39;single&#39;'],
    ['&#60;', '&#38;#60;'],
    ['plain text, Кириллица', 'plain text, Кириллица'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe('renderMessagePage', () => {
  it('draws access refusals like the app’s own “no access” pages: one design, a lock, AA-contrast greys', () => {
    const denied = renderMessagePage({ lang: 'en', code: 'APP_ACCESS_DENIED' });
    expect(denied).toContain('data-page="refusal"');
    expect(denied).toContain('<div class="indicator">');
    expect(denied).toContain('<rect x="5" y="10.5"');
    const failed = renderMessagePage({ lang: 'en', code: 'UNAVAILABLE' });
    expect(failed).toContain('<div class="indicator indicator--alert">');
    // #a8adb4 on white is 2.2:1; every text colour on the page is now at least 4.5:1 on white.
    for (const html of [denied, failed]) {
      expect(html).not.toMatch(/#a8adb4|#828b95/i);
      expect(html).not.toMatch(/font-size: ?(?:[0-9]|10)px/);
    }
  });

  it('renders a known code in English', () => {
    const html = renderMessagePage({ lang: 'en', code: 'NOT_INSTALLED' });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Keycard is not installed on this Bitrix24</title>');
    expect(html).toContain('<h1>Keycard is not installed on this Bitrix24</h1>');
    expect(html).toContain('Ask your Bitrix24 administrator to install Keycard from Bitrix24 Market.');
    expect(html).toContain('<p class="code">NOT_INSTALLED</p>');
    expect(html).not.toContain('<ul>');
    expect(html).not.toMatch(/<script/i);
  });

  it('renders a known code in Russian', () => {
    const html = renderMessagePage({ lang: 'ru', code: 'NOT_INSTALLED' });
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('<h1>Keycard не установлен в этом Битрикс24</h1>');
    expect(html).toContain('Попросите администратора Битрикс24 установить Keycard из Маркета.');
    expect(html).toContain('<p class="code">NOT_INSTALLED</p>');
    expect(html).not.toContain('is not installed');
  });

  it.each([
    ['en', 'Something went wrong'],
    ['ru', 'Что-то пошло не так'],
  ] as const)('falls back to the generic text for an unknown code (%s)', (lang, title) => {
    const html = renderMessagePage({ lang, code: 'SOMETHING_NEW' });
    expect(html).toContain(`<h1>${title}</h1>`);
    expect(html).toContain('<p class="code">SOMETHING_NEW</p>');
  });

  it('shows the shared "unavailable" page for dependency failures but keeps the real code', () => {
    const html = renderMessagePage({ lang: 'en', code: 'OAUTH_UNAVAILABLE' });
    expect(html).toContain('<h1>Keycard is temporarily unavailable</h1>');
    expect(html).toContain('<p class="code">OAUTH_UNAVAILABLE</p>');
  });

  it('escapes the details and the code', () => {
    const html = renderMessagePage({
      lang: 'en',
      code: '<b>CODE</b>',
      details: ['<script>alert(1)</script>', 'event "ONAPPINSTALL" & more'],
    });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>CODE</b>');
    expect(html).toContain(
      '<ul><li>&#60;script&#62;alert(1)&#60;/script&#62;</li><li>event &#34;ONAPPINSTALL&#34; &#38; more</li></ul>',
    );
    expect(html).toContain('<p class="code">&#60;b&#62;CODE&#60;/b&#62;</p>');
  });

  it('leaves the typographic apostrophe of the built-in texts as it is', () => {
    const html = renderMessagePage({ lang: 'en', code: 'NEEDS_REINSTALL' });
    expect(html).toContain('<h1>Keycard’s connection to Bitrix24 needs an administrator</h1>');
    expect(html).toContain('A Bitrix24 administrator should open Keycard once');
  });
});
