import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the frontend under /dashboard/, so every asset URL is relative to that base.
export default defineConfig({
  root: __dirname,
  base: '/dashboard/',
  plugins: [react()],
  build: { outDir: '../../dist/apps/dashboard', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
});
