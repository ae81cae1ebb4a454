import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import bitrix24UI from '@bitrix24/b24ui-nuxt/vite';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));

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
