/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Tauri loads ui/dist from disk (tauri.conf.json `frontendDist`) and the dev server on port 5173 (`devUrl`).
export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  base: './',
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  // Component tests mount Svelte's browser build, not its server build.
  resolve: mode === 'test' ? { conditions: ['browser'] } : undefined,
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['./src/test-setup.ts'],
    restoreMocks: true,
    // 5 s by default: see asyncUtilTimeout in test-setup.ts.
    testTimeout: 15000,
    // Vitest empties stylesheets by default; the layout test reads the app's column widths from this one.
    css: { include: [/app\.css/] },
  },
}));
