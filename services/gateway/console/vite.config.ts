import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In development Vite serves the console and forwards the API to a running gateway (npm start).
const gateway = process.env.MIGRATE_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Hashed file names under assets/: the gateway serves them with a year-long immutable cache.
    assetsDir: "assets",
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      "/v1": gateway,
      "/migrate.gateway.v1.": gateway,
      "/healthz": gateway,
    },
  },
});
