// The venue's browser app (docs/web.md). Built by `./run setup` (npm ci + vite build) into
// dist/, which the controller serves. Element Plus (desk, manager) and Vant (phones) are
// imported per component so each page ships only what it uses. Two entries: index.html (the
// staff app) and guest.html (the guest's phone page at /g/: Vue + Vant only, its own small
// bundle; docs/web.md).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { VantResolver } from '@vant/auto-import-resolver'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [
    vue(),
    Components({
      dts: false,
      resolvers: [ElementPlusResolver({ importStyle: 'css' }), VantResolver()],
    }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // no inline scripts: the controller's Content-Security-Policy is script-src 'self'
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        guest: fileURLToPath(new URL('./guest.html', import.meta.url)),
      },
    },
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev` against a local controller: the API is proxied, cookies stay same-origin
    proxy: { '/api': { target: process.env.KTV_API || 'https://127.0.0.1:8443', secure: false } },
  },
})
