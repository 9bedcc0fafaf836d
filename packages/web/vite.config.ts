import react from '@vitejs/plugin-react';
import { defineConfig, type PluginOption } from 'vite';

// @vitejs/plugin-react is hoisted and typed against the root's vite (another major than this package's);
// the plugin itself works with both.
const reactPlugin = react() as unknown as PluginOption;

/** The console is served by the Custos server from `dist/`; in development Vite proxies the API to it. */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [reactPlugin],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.CUSTOS_DEV_API ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
