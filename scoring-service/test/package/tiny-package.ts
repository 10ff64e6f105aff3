/** Builds a small but complete model package in a folder, for loader tests. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../src/manifest/schema';
import { featureSignature } from '../../src/manifest/signature';
import { treeEnsembleToOnnx } from '../../src/trees/to-onnx';
import { sha256Hex } from '../../src/package/files';
import type { TreeEnsemble } from '../../src/trees/ensemble';

export const TINY_NAME = 'tiny-model';
export const TINY_VERSION = '1.0.0';

export function stumpEnsemble(nFeatures: number): TreeEnsemble {
  return {
    nFeatures,
    baseMargin: 0,
    link: 'logit',
    trees: [
      {
        feature: Int32Array.from([0, -1, -1]),
        threshold: Float32Array.from([0.5, 0, 0]),
        yes: Int32Array.from([1, 0, 0]),
        no: Int32Array.from([2, 0, 0]),
        missingYes: Uint8Array.from([1, 0, 0]),
        value: Float64Array.from([0, -1, 1]),
        cover: Float64Array.from([10, 5, 5]),
      },
    ],
  };
}

/** Writes <modelsDir>/tiny-model/1.0.0 with a lookup snapshot and a background sample; returns the package folder. */
export async function writeTinyPackage(modelsDir: string, options: { onnxColumns?: number } = {}): Promise<string> {
  const dir = path.join(modelsDir, TINY_NAME, TINY_VERSION);
  await fs.mkdir(path.join(dir, 'snapshots'), { recursive: true });
  const inputs: Manifest['inputs'] = [
    { name: 'source', type: 'string', label: 'Source', required: false, strict: false },
    { name: 'shop_id', type: 'string', label: 'Shop', required: false, strict: false },
    { name: 'opens', type: 'number', label: 'Email opens', required: false, strict: false },
  ];
  const features: Manifest['features'] = [
    { kind: 'onehot', input: 'source', categories: ['Web', 'Event'], unknown: true },
    { kind: 'number', input: 'opens' },
    { kind: 'lookup', table: 'shops', keys: ['shop_id'], columns: ['shop_size'] },
  ];
  const columns = 5;
  const snapshot = JSON.stringify({ columns: ['shop_size'], index: { shop_id: { S1: [12] } }, defaults: [7] });
  const background = JSON.stringify([
    [1, 0, 0, 3, 12],
    [0, 0, 1, null, 7],
  ]);
  const onnx = treeEnsembleToOnnx(stumpEnsemble(options.onnxColumns ?? columns), { inputName: 'input' });
  await fs.writeFile(path.join(dir, 'model.onnx'), onnx.bytes);
  await fs.writeFile(path.join(dir, 'snapshots', 'shops.json'), snapshot);
  await fs.writeFile(path.join(dir, 'background.json'), background);
  const manifest = {
    schemaVersion: 1,
    name: TINY_NAME,
    version: TINY_VERSION,
    task: 'binary-classification',
    created: '2026-11-25T12:00:00Z',
    sha256: sha256Hex(onnx.bytes),
    files: {
      'snapshots/shops.json': sha256Hex(Buffer.from(snapshot)),
      'background.json': sha256Hex(Buffer.from(background)),
    },
    signature: featureSignature(inputs, features),
    inputs,
    features,
    model: { format: 'onnx', inputName: onnx.inputName, outputName: onnx.outputName, columns, link: 'logit' },
    outputs: {},
    metrics: {},
    background: { file: 'background.json', rows: 2 },
  };
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Raw manifest JSON, loosely typed on purpose: tests edit arbitrary fields to break the package. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readManifestJson(dir: string): Promise<Record<string, any>> {
  return JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
}

export async function writeManifestJson(dir: string, manifest: unknown): Promise<void> {
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}
