// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { fileURLToPath } from 'node:url';

// Resolved here because bundled page code no longer knows where it came from.
process.env.LABPATH_CONTENT ??= fileURLToPath(new URL('./content/lessons/', import.meta.url));
const { lessonValidation } = await import('./src/integrations/lesson-validation.ts');

export default defineConfig({
  site: 'http://127.0.0.1:4321',
  trailingSlash: 'always',
  server: {
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 4321),
  },
  integrations: [lessonValidation(), mdx()],
  markdown: {
    shikiConfig: {
      themes: { light: 'github-light', dark: 'github-dark' },
    },
  },
});
