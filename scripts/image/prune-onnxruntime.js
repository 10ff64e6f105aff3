#!/usr/bin/env node
/**
 * Keeps only the linux-x64 ONNX Runtime binaries in an installed node_modules: the npm package
 * ships every platform's (darwin, win32, linux arm64), about 220 MB the image never loads.
 * Usage: node prune-onnxruntime.js <node_modules folder>. Used by deploy/Dockerfile and by
 * scripts/image/assemble.sh, so both prune the same way.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const modules = process.argv[2];
if (!modules) {
  process.stderr.write('usage: prune-onnxruntime.js <node_modules folder>\n');
  process.exit(2);
}
const bin = path.join(modules, 'onnxruntime-node', 'bin');
if (!fs.existsSync(bin)) {
  process.stderr.write(`${bin} does not exist: install the production dependencies (npm ci --omit=dev) first\n`);
  process.exit(1);
}
let kept = 0;
for (const napi of fs.readdirSync(bin)) {
  for (const platform of fs.readdirSync(path.join(bin, napi))) {
    for (const arch of fs.readdirSync(path.join(bin, napi, platform))) {
      const dir = path.join(bin, napi, platform, arch);
      if (platform === 'linux' && arch === 'x64') kept++;
      else fs.rmSync(dir, { recursive: true, force: true });
    }
    if (fs.readdirSync(path.join(bin, napi, platform)).length === 0)
      fs.rmSync(path.join(bin, napi, platform), { recursive: true });
  }
}
if (kept === 0) {
  process.stderr.write(`${bin} has no linux/x64 binaries: this onnxruntime-node cannot run in the image\n`);
  process.exit(1);
}
process.stdout.write(`kept the linux/x64 ONNX Runtime binaries under ${bin}\n`);
