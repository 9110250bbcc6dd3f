import { availableParallelism } from 'node:os';
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
    rolldownOptions: {
      output: {
        // ECharts is loaded only with the pages that draw charts; keeping its
        // renderer (zrender) in a chunk of its own keeps every chunk < 500 kB.
        codeSplitting: {
          groups: [
            { name: 'zrender', test: /node_modules[\\/]zrender[\\/]/ },
            { name: 'echarts', test: /node_modules[\\/]echarts[\\/]/ },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/setupTests.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // antd renders slowly in jsdom on a 2-core machine, slower still when it is busy.
    testTimeout: 60_000,
    // Vitest leaves a core to its main thread by default, which on a 2-core machine
    // means one worker; the main thread mostly waits, so use every core.
    maxWorkers: availableParallelism(),
    // Test files share each worker's modules instead of importing antd afresh: the
    // imports took half of the run (73 of 147 s). Tests therefore stub globals
    // (vi.stubGlobal, undone after each test) rather than mock modules.
    isolate: false,
    unstubGlobals: true,
  },
});
