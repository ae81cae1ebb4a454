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
    // Vendor code (Vue, the UI kit, zod) changes less often than ours: a separate chunk stays cached
    // across releases. The frame SDK is loaded on demand and keeps its own chunk.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [{ name: 'vendor', test: /node_modules[\\/](?!@bitrix24[\\/]b24jssdk|axios|luxon|qs-esm)/ }],
        },
      },
    },
    // The vendor chunk is ~840 kB (~230 kB gzip), most of it the UI kit's components and their
    // dependencies (the access settings added select, menu, modal and tabs); cached across releases.
    chunkSizeWarningLimit: 900,
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
