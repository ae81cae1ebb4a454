import type { Lang } from '../../manifest.js';
import { pageText } from './page-texts.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Refusals about who the user is or what they may open: shown with a lock, like the app's own "no access" pages. */
const ACCESS_CODES = new Set(['BITRIX_ACCESS_DENIED', 'USER_INACTIVE', 'APP_ACCESS_DENIED', 'INSTALL_NEEDS_ADMIN']);

// Outline icons at 24×24 drawn after b24icons' LockM and AlertCircle (no script, no external file: the CSP allows
// neither inline scripts nor other origins).
export const LOCK_ICON =
  '<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="5" y="10.5" width="14" height="10" rx="2.5"/><path d="M8.5 10.5V8a3.5 3.5 0 0 1 7 0v2.5"/><path d="M12 14.5v2.5"/></svg>';
const ALERT_ICON =
  '<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5"/><path d="M12 16.5h.01"/></svg>';

/** The refusal pages' look (b24ui's Empty; no script: the CSP allows none inline). */
export const PAGE_STYLE = `  body { margin: 0; background: #eef2f4; color: #333; font: 14px/1.5 var(--ui-font-family-system, system-ui), -apple-system, "Segoe UI", Roboto, "Open Sans", "Helvetica Neue", Arial, sans-serif; }
  main { box-sizing: border-box; max-width: 560px; margin: 40px auto; padding: 32px 24px; background: #fff; border-radius: 12px; box-shadow: 0 0 0 1px #edeef0; display: flex; flex-direction: column; align-items: center; gap: 8px; text-align: center; }
  .indicator { width: 64px; height: 64px; border-radius: 50%; display: flex; align-items: center; justify-content: center; margin-bottom: 8px; background: #edeef0; color: #525c69; }
  .indicator--alert { background: #ffe8e8; color: #c21b16; }
  h1 { margin: 0; max-width: 384px; font-size: 16px; line-height: 1.5; font-weight: 500; color: #333; }
  p { margin: 0; max-width: 384px; color: #5f6874; }
  ul { margin: 4px 0 0; padding-left: 20px; max-width: 384px; text-align: left; color: #5f6874; }
  .code { margin-top: 8px; font-size: 12px; color: #5f6874; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
`;

/**
 * A readable page for when the app cannot open: title, explanation, the error code for support, and
 * optional details (already safe to show). Plain HTML and CSS, no script, drawn like the app's own "no access"
 * pages (b24ui's Empty: a centred card with the icon in a soft circle, the title and a grey description), with
 * the b24ui light-theme colours at WCAG AA contrast.
 */
export function renderMessagePage(options: { lang: Lang; code: string; details?: string[] }): string {
  const text = pageText(options.lang, options.code);
  const details = (options.details ?? []).map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  const access = ACCESS_CODES.has(options.code);
  return `<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(text.title)}</title>
<style>
${PAGE_STYLE}</style>
</head>
<body>
<main role="alert" data-page="refusal" data-code="${escapeHtml(options.code)}">
  <div class="indicator${access ? '' : ' indicator--alert'}">${access ? LOCK_ICON : ALERT_ICON}</div>
  <h1>${escapeHtml(text.title)}</h1>
  <p>${escapeHtml(text.message)}</p>
  ${details === '' ? '' : `<ul>${details}</ul>`}
  <p class="code">${escapeHtml(options.code)}</p>
</main>
</body>
</html>
`;
}
