import type { Lang } from '../../manifest.js';
import { pageText } from './page-texts.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * A readable page for when the app cannot open: title, explanation, the error code for support, and
 * optional details (already safe to show). Plain HTML and CSS in the Bitrix24 palette; no script.
 */
export function renderMessagePage(options: { lang: Lang; code: string; details?: string[] }): string {
  const text = pageText(options.lang, options.code);
  const details = (options.details ?? []).map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  return `<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(text.title)}</title>
<style>
  body { margin: 0; background: #eef2f4; color: #333; font: 14px/1.5 "Open Sans", "Helvetica Neue", Arial, sans-serif; }
  main { max-width: 560px; margin: 48px auto; background: #fff; border-radius: 12px; padding: 32px 36px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  h1 { margin: 0 0 12px; font-size: 20px; font-weight: 600; color: #151515; }
  p { margin: 0 0 12px; color: #525c69; }
  ul { margin: 0 0 12px; padding-left: 20px; color: #525c69; }
  .code { font-size: 12px; color: #a8adb4; }
  .mark { width: 40px; height: 40px; border-radius: 50%; background: #ffe8e8; color: #f0371b; display: flex; align-items: center; justify-content: center; font-weight: 700; margin-bottom: 16px; }
</style>
</head>
<body>
<main role="alert">
  <div class="mark" aria-hidden="true">!</div>
  <h1>${escapeHtml(text.title)}</h1>
  <p>${escapeHtml(text.message)}</p>
  ${details === '' ? '' : `<ul>${details}</ul>`}
  <p class="code">${escapeHtml(options.code)}</p>
</main>
</body>
</html>
`;
}
