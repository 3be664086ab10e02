// Bundles the dashboard: node build.mjs <outdir> writes app.js, app.css and index.html there (the Stratus.Dashboard
// build embeds that folder). One minified ES module with Chart.js inside: the page's CSP allows no other origin.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node build.mjs <outdir>');
  process.exit(2);
}

const root = dirname(fileURLToPath(import.meta.url));
const out = resolve(outdir);

try {
  await rm(out, { recursive: true, force: true }); // the build embeds the whole folder: nothing stale may stay in it
  await mkdir(out, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'src/main.js', out: 'app' },
      { in: 'src/styles.css', out: 'app' },
    ],
    bundle: true,
    format: 'esm',
    minify: true,
    sourcemap: false,
    target: 'es2022',
    outdir: out,
    logLevel: 'warning',
  });
  await copyFile(join(root, 'index.html'), join(out, 'index.html'));
} catch (error) {
  // esbuild has already printed its diagnostics; anything else (a missing folder, a permission) is printed here.
  if (!error.errors) console.error(error);
  process.exit(1);
}
