import { defineConfig } from "vitest/config";

// No React plugin: esbuild compiles JSX with the automatic runtime ("jsx": "react-jsx" in
// tsconfig.json). The Tauri shell loads the built files from ui/dist, or this dev server.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { outDir: "dist", target: "es2021", sourcemap: false, emptyOutDir: true },
  // Pure logic runs in node; component tests start with `// @vitest-environment jsdom`.
  test: { include: ["src/**/*.test.ts", "src/**/*.test.tsx"], environment: "node" },
});
