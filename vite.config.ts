import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import bitrix24UI from '@bitrix24/b24ui-nuxt/vite';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy next to each script and stylesheet of the build, which
 * server/http/compressed-assets.ts sends to browsers that accept them: compressed once here, at brotli's
 * slowest and smallest setting, instead of on every request. index.html is left alone: the server fills it in
 * per request, and at ~1.5 kB it fits in the first round trip either way.
 */
function precompress(): Plugin {
  return {
    name: 'keycard:precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      const outDir = options.dir ?? '';
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const file = join(outDir, name);
        const data = readFileSync(file);
        const brotli = brotliCompressSync(data, {
          params: {
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          },
        });
        const gzip = gzipSync(data, { level: 9 });
        // A tiny chunk may not shrink; it is then sent as it is.
        if (brotli.length < data.length) writeFileSync(`${file}.br`, brotli);
        if (gzip.length < data.length) writeFileSync(`${file}.gz`, gzip);
      }
    },
  };
}

/**
 * Adds a modulepreload link to index.html for each language's dictionary (client/i18n/en.ts, ru.ts: chunks of
 * their own, imported on demand by client/i18n/index.ts), tagged `data-keycard-lang`. The server keeps the
 * user's language's link only (server/http/pages/app-shell.ts), so the one dictionary the first render waits for
 * comes with the page's other scripts, not one round trip after them, and the other is never downloaded.
 */
function languagePreload(): Plugin {
  return {
    name: 'keycard:language-preload',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle }) {
        const tags: HtmlTagDescriptor[] = [];
        for (const chunk of Object.values(bundle ?? {})) {
          if (chunk.type !== 'chunk' || !chunk.isDynamicEntry) continue;
          const lang = /\/client\/i18n\/(\w+)\.ts$/.exec(chunk.facadeModuleId ?? '')?.[1];
          if (lang === undefined) continue;
          tags.push({
            tag: 'link',
            // crossorigin as on Vite's own modulepreload links: module scripts are fetched in CORS mode.
            attrs: { rel: 'modulepreload', crossorigin: true, href: `/${chunk.fileName}`, 'data-keycard-lang': lang },
            injectTo: 'head',
          });
        }
        return tags;
      },
    },
  };
}

// The UI lives in client/ and is served by the Express server from dist/client (HTML at
// POST /app and POST /install, files under /assets/). See DESIGN.md "HTTP surface".
export default defineConfig({
  root: 'client',
  base: '/',
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No hand-made vendor chunk: it held every page's dependencies (the access settings' select, menu,
    // modal, tabs…), so each user downloaded all of them to see the first page. The default split follows
    // the imports: pages loaded on demand (client/router.ts) bring their own, shared code is shared.
  },
  plugins: [
    precompress(),
    languagePreload(),
    vue(),
    bitrix24UI({
      // Theme templates go to <project>/node_modules/.b24ui-nuxt (the `#build/b24ui` alias in
      // client/tsconfig.json), not to client/node_modules.
      root: projectRoot,
      // Pages are switched by vue-router (memory history: the iframe URL never changes).
      router: true,
      // Light only: the frame cannot read the portal's theme before first paint, and following the
      // OS preference would show a dark app inside a light portal.
      colorMode: false,
      prose: false,
      mdc: false,
      // Components and composables are imported explicitly (STYLE.md: no auto-imported globals).
      components: false,
      autoImport: false,
    }),
  ],
});
