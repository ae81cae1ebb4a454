import type { Lang } from '../../manifest.js';

/** The built UI: index.html with the bootstrap marker, and the folder of its assets. */
export interface UiAssets {
  template: string;
  assetsDir?: string;
}

/** What the Vue app reads at start (see client/bootstrap.ts). */
export interface Bootstrap {
  mode: 'install' | 'app';
  lang: Lang;
  session: string;
  user: { id: string; name: string; isAdmin: boolean | null };
  portal: { domain: string };
  /** Installer only: the access settings a reinstall kept (see PolicyRepository.installDefaults). */
  keptSettings?: { allowList: number; roles: number; assignments: number; version: number };
  /** Opened in a feature's placement (a workgroup tab): the UI shows that placement's page alone, no app shell. */
  placement?: { code: string; options: Record<string, string>; feature: string };
  /** Opened from a link into the app (`REST_APP_URI`): the view to show first. */
  entry?: { view: string; id?: string };
}

/** The marker in client/index.html that the bootstrap replaces. */
export const BOOTSTRAP_MARKER = '<!--keycard-bootstrap-->';

/** JSON safe inside <script>: no `</script>`, no HTML comment openers, no line separators that break JS. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The build's preload link of one language's dictionary (vite.config.ts `languagePreload`). */
const LANGUAGE_PRELOAD = /<link\b[^>]*\bdata-keycard-lang="([\w-]+)"[^>]*>\s*/g;

/**
 * The built index.html with the bootstrap embedded as inert JSON (the CSP allows no inline script), and only
 * the user's language's dictionary preloaded: the UI loads no other (client/i18n/index.ts).
 */
export function renderAppShell(template: string, bootstrap: Bootstrap): string {
  const tag = `<script id="keycard-bootstrap" type="application/json">${scriptSafeJson(bootstrap)}</script>`;
  return template
    .replace(LANGUAGE_PRELOAD, (link, lang: string) => (lang === bootstrap.lang ? link : ''))
    .replace(BOOTSTRAP_MARKER, () => tag)
    .replace('<html lang="en">', `<html lang="${bootstrap.lang}">`);
}
