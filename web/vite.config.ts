import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// Every asset is bundled into dist/ (served by `emboard serve`); nothing comes from a CDN.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
});
