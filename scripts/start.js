#!/usr/bin/env node
/**
 * `npm start`: the scoring service on the bundled models and, beside it, the component preview.
 *
 * Each part starts from its own package: the service (scoring-service/dist/server.js) knows nothing of
 * the preview; this launcher hands it one through `main({ withPreview })`. Builds are brought up to
 * date first, and only what changed is rebuilt: TypeScript through `tsc --build` (incremental, its
 * state in dist/.tsbuildinfo), the preview bundle only when a source is newer than it. A start with
 * nothing changed therefore takes seconds, and the service's banner is the first thing on screen.
 *
 * PREVIEW=off starts the service alone; PREVIEW_PORT (default 8081) moves the preview.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SERVICE_TSCONFIG = path.join(ROOT, 'scoring-service', 'tsconfig.build.json');
const PREVIEW_BUNDLE = path.join(ROOT, 'preview', 'dist', 'app.js');
/** Everything the preview bundle is compiled from (see preview/rollup.config.mjs). */
const PREVIEW_SOURCES = [
  path.join(ROOT, 'preview', 'src'),
  path.join(ROOT, 'preview', 'rollup.config.mjs'),
  path.join(ROOT, 'force-app', 'main', 'default', 'lwc'),
  path.join(ROOT, 'force-app', 'main', 'default', 'labels'),
  path.join(ROOT, 'force-app', 'test', 'customLabels.js'),
];

/** Runs a build step quietly; on failure shows its output and stops, since a stale build would mislead. */
function run(what, command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    // result.error: the command itself could not run (no node_modules/.bin, say), and printed nothing.
    process.stderr.write(
      `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `${result.error.message}\n` : ''}`,
    );
    process.stderr.write(`\nBuilding ${what} failed (${command} ${args.join(' ')}); the service did not start.\n`);
    process.exit(result.status ?? 1);
  }
}

function bin(name) {
  return path.join(ROOT, 'node_modules', '.bin', name);
}

/** Newest modification time under a file or folder (0 when it does not exist). */
function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) {
    if (entry === '__tests__' || entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

function previewIsStale() {
  const built = newestMtime(PREVIEW_BUNDLE);
  return built === 0 || PREVIEW_SOURCES.some((source) => newestMtime(source) > built);
}

async function start() {
  const previewWanted = process.env.PREVIEW !== 'off';
  run('the scoring service', bin('tsc'), ['--build', SERVICE_TSCONFIG]);
  if (previewWanted && previewIsStale()) {
    run('the component preview', bin('rollup'), ['-c', path.join(ROOT, 'preview', 'rollup.config.mjs'), '--silent']);
  }
  const { main } = require('@lead-scoring/scoring-service/server');
  await main({
    withPreview: previewWanted
      ? async ({ url, clientKey }) => {
          const { startPreview } = require(path.join(ROOT, 'preview', 'server.js'));
          const port = Number(process.env.PREVIEW_PORT ?? 8081);
          return startPreview({ port, host: process.env.HOST, serviceUrl: url, apiKey: clientKey });
        }
      : undefined,
  });
}

start().catch((err) => {
  process.stderr.write(`The scoring service failed to start: ${err.message}\n`);
  process.exit(1);
});
