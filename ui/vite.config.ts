import { defineConfig } from "vite";

// The app's CSP allows scripts and styles from 'self' only, so the build must emit no inline
// script: no modulepreload polyfill (it would be inlined), assets as files.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
