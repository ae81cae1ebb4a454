import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

/*
 * The architecture, as lint rules (DESIGN.md "Layout"). Each entry: the folders it applies to, and the
 * imports they must not make. Type-only imports count too: a layer that names another's types depends on it.
 */
const DOMAINS = ['access', 'directory', 'portals', 'stock'];
const below = (folders) => folders.flatMap((folder) => [`../${folder}/*`, `../../${folder}/*`, `../${folder}/**`]);
/** Never imported by a domain: the composition root and the HTTP layer (use cases take narrow dependencies). */
const domainBanned = [...below(['http']), '../services.js', '../app.js', '../main.js', '../open-store.js'];
// Flat config applies the last matching entry of a rule: more specific entries come later and repeat what they inherit.
const boundaries = [
  {
    name: 'domains never import the composition root or the HTTP layer',
    files: DOMAINS.map((domain) => `server/${domain}/**`),
    banned: domainBanned,
  },
  {
    name: 'the access core is pure: no I/O, no store, no Bitrix24, no HTTP',
    files: [
      'access-index',
      'codes',
      'conflicts',
      'evaluate',
      'explain',
      'gate',
      'known-codes',
      'levels',
      'policy',
      'policy-diff',
      'rules',
      'subject',
      'validate',
    ].map((name) => `server/access/${name}.ts`),
    banned: [
      ...domainBanned,
      ...below(['store', 'bitrix', 'portals']),
      'node:*',
      'keyv',
      'express',
      '../directory/directory-service.js',
    ],
  },
  {
    name: 'bitrix/ talks to Bitrix24 only: no store, no HTTP layer',
    files: ['server/bitrix/**'],
    banned: [...below(['store', 'http']), '../services.js', '../app.js'],
  },
  {
    name: 'store/ is infrastructure: no domain, no HTTP, no Bitrix24',
    files: ['server/store/**'],
    banned: [...below([...DOMAINS, 'http', 'bitrix']), '../services.js', '../app.js'],
  },
  {
    name: 'common/ is shared by browser and server: no Node, no DOM libraries, nothing of either side',
    files: ['common/**'],
    banned: ['node:*', '../server/*', '../server/**', '../client/**', 'express', 'vue', 'zod'],
  },
  {
    name: 'the client never imports server code',
    files: ['client/**'],
    banned: ['../server/**', '../../server/**', '../../../server/**', 'node:*'],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'client/auto-imports.d.ts', 'client/components.d.ts', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // createApp() calls are not component definitions; the rule misreads main.ts.
    files: ['client/**/*.ts'],
    rules: { 'vue/one-component-per-file': 'off' },
  },
  // Lines of at most 120 characters (Prettier wraps code; long strings, URLs and class lists may run over).
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    files: ['**/*.vue'],
    rules: {
      'vue/max-len': [
        'error',
        {
          code: 120,
          template: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
          ignoreHTMLAttributeValues: true,
          ignoreHTMLTextContents: true,
        },
      ],
    },
  },
  ...boundaries.map(({ name, files, banned }) => ({
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: banned, message: `Layering: ${name}.` }] },
      ],
    },
  })),
  // The environment is read in one place (server/main.ts, through the zod config); time comes from the Clock.
  ...[
    {
      files: ['server/**/*.ts', 'common/**/*.ts'],
      ignores: ['server/main.ts', 'server/clock.ts'],
      bans: ['env', 'now'],
    },
    { files: ['server/main.ts'], bans: ['now'] },
    { files: ['server/clock.ts'], bans: ['env'] },
  ].map(({ files, ignores = [], bans }) => ({
    files,
    ignores,
    rules: {
      'no-restricted-properties': [
        'error',
        ...bans.map((ban) =>
          ban === 'env'
            ? {
                object: 'process',
                property: 'env',
                message: 'Only server/main.ts reads the environment (through loadConfig).',
              }
            : { object: 'Date', property: 'now', message: 'Time comes from the injected Clock (server/clock.ts).' },
        ),
      ],
    },
  })),
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'vue/multi-word-component-names': 'off',
      // Prettier owns the layout (npm run lint checks it): the template layout rules would fight it.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
    },
  },
);
