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
const LOCK_ICON =
  '<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="5" y="10.5" width="14" height="10" rx="2.5"/><path d="M8.5 10.5V8a3.5 3.5 0 0 1 7 0v2.5"/><path d="M12 14.5v2.5"/></svg>';
const ALERT_ICON =
  '<svg viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5"/><path d="M12 16.5h.01"/></svg>';

/**
 * A readable page for when the app cannot open: title, explanation, the error code for support, and
 * optional details (already safe to show). Plain HTML and CSS, no script, drawn like the app's own "no access"
 * pages (b24ui's Empty: a centred card with the icon in a soft circle, the title and a grey description), with
 * the b24ui light-theme colours at WCAG AA contrast.
 */
export function renderMessagePage(options: {
  lang: Lang;
  code: string;
  details?: string[];
  /**
   * Sized for a tab or a widget (a placement): less padding, a smaller heading and icon, the page's own width, no
   * card shadow — the frame is a part of someone else's page.
   */
  compact?: boolean;
  /** Replaces the code's own title and explanation (e.g. naming the feature a placement needs). */
  text?: { title: string; message: string };
}): string {
  const text = options.text ?? pageText(options.lang, options.code);
  const details = (options.details ?? []).map((line) => `<li>${escapeHtml(line)}</li>`).join('');
  const access = ACCESS_CODES.has(options.code);
  const compact = options.compact === true;
  return `<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(text.title)}</title>
<style>
  body { margin: 0; background: ${compact ? '#fff' : '#eef2f4'}; color: #333; font: 14px/1.5 var(--ui-font-family-system, system-ui), -apple-system, "Segoe UI", Roboto, "Open Sans", "Helvetica Neue", Arial, sans-serif; }
  main { box-sizing: border-box; max-width: 560px; margin: 40px auto; padding: 32px 24px; background: #fff; border-radius: 12px; box-shadow: 0 0 0 1px #edeef0; display: flex; flex-direction: column; align-items: center; gap: 8px; text-align: center; }
  .indicator { width: 64px; height: 64px; border-radius: 50%; display: flex; align-items: center; justify-content: center; margin-bottom: 8px; background: #edeef0; color: #525c69; }
  .indicator--alert { background: #ffe8e8; color: #c21b16; }
  h1 { margin: 0; max-width: 384px; font-size: 16px; line-height: 1.5; font-weight: 500; color: #333; }
  p { margin: 0; max-width: 384px; color: #5f6874; }
  ul { margin: 4px 0 0; padding-left: 20px; max-width: 384px; text-align: left; color: #5f6874; }
  .code { margin-top: 8px; font-size: 12px; color: #5f6874; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
  main.compact { max-width: none; margin: 0; padding: 12px 16px; border-radius: 0; box-shadow: none; gap: 4px; }
  .compact .indicator { width: 40px; height: 40px; margin-bottom: 4px; }
  .compact .indicator svg { width: 20px; height: 20px; }
  .compact h1 { font-size: 14px; max-width: 480px; }
  .compact p, .compact ul { max-width: 480px; font-size: 13px; }
  .compact .code { margin-top: 4px; font-size: 11px; }
</style>
</head>
<body>
<main role="alert" data-page="refusal" data-code="${escapeHtml(options.code)}"${compact ? ' class="compact" data-compact="true"' : ''}>
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

/** The compact page's texts when a placement's feature is denied: it names the feature, then whom to ask. */
export function featureDeniedText(lang: Lang, featureTitle: string): { title: string; message: string } {
  return lang === 'ru'
    ? {
        title: `У вас нет доступа к разделу «${featureTitle}» в Keycard`,
        message: 'Доступ выдают администраторы Keycard. Попросите одного из них:',
      }
    : {
        title: `You don’t have “${featureTitle}” in Keycard`,
        message: 'Keycard’s administrators give access to it. Ask one of them:',
      };
}
