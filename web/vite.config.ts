import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The console is served by the Go binary at "/", next to /api/.
// In development, vite proxies /api to a locally running `oneretail serve`.
export default defineConfig({
  base: '/',
  plugins: [react()],
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/setupTests.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
