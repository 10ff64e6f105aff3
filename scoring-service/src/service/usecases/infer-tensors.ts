/**
 * Open Inference Protocol v2 (KServe V2 REST): model metadata and raw-tensor inference.
 * Inputs are the model's own tensors; no feature pipeline, no presentation.
 */
import type { WorkerPool } from '../../inference/pool';
import type { RawTensor, TensorInfo } from '../../inference/protocol';
import { typedData } from '../../inference/session';
import { BatchTooLarge, RequestRefused } from '../errors';
import type { InferRequest } from '../http/schemas';
import type { ServedVersion, ServingSet } from '../serving/serving-set';

const toOip: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  int32: 'INT32',
  int64: 'INT64',
  bool: 'BOOL',
  string: 'BYTES',
  uint8: 'UINT8',
  int8: 'INT8',
};
const fromOip: Record<string, string> = {
  FP32: 'float32',
  FP64: 'float64',
  INT32: 'int32',
  INT64: 'int64',
  BOOL: 'bool',
};

const tensorMeta = (t: TensorInfo) => ({
  name: t.name,
  datatype: toOip[t.type] ?? t.type.toUpperCase(),
  shape: t.dims,
});

export function modelMetadata(set: ServingSet, served: ServedVersion) {
  return {
    name: served.name,
    versions: [...set.model(served.name).versions.keys()],
    platform: 'onnx_onnxv1',
    inputs: served.info.inputs.map(tensorMeta),
    outputs: served.info.outputs.map(tensorMeta),
  };
}

/** Flattens nested row-major data; null stands for a missing value. */
function flatten(data: unknown, out: (number | boolean | string | null)[], depth = 0): void {
  if (Array.isArray(data)) {
    for (const item of data) flatten(item, out, depth + 1);
    return;
  }
  out.push(data as number | boolean | string | null);
}

export async function inferTensors(pool: WorkerPool, served: ServedVersion, request: InferRequest, maxRows: number) {
  const byName = new Map(served.info.inputs.map((t) => [t.name, t]));
  const tensors: RawTensor[] = request.inputs.map((input, k) => {
    const where = `inputs[${k}]`;
    const meta = byName.get(input.name);
    if (!meta)
      throw new RequestRefused(
        `Model ${served.name} ${served.version} has no input ${JSON.stringify(input.name.slice(0, 100))} (inputs: ${[...byName.keys()].join(', ')}).`,
        [{ path: `${where}.name`, message: 'unknown input tensor' }],
      );
    const type = fromOip[input.datatype];
    if (type !== meta.type && !(meta.type === 'float32' && input.datatype === 'FP64')) {
      throw new RequestRefused(`Input ${meta.name} is ${tensorMeta(meta).datatype}; got ${input.datatype}.`, [
        { path: `${where}.datatype`, message: `must be ${tensorMeta(meta).datatype}` },
      ]);
    }
    if (
      input.shape.length !== meta.dims.length ||
      input.shape.some((d, i) => meta.dims[i] >= 0 && meta.dims[i] !== d)
    ) {
      throw new RequestRefused(
        `Input ${meta.name} has shape [${meta.dims.join(', ')}] (-1 = any); got [${input.shape.join(', ')}].`,
        [{ path: `${where}.shape`, message: 'shape does not fit the model' }],
      );
    }
    if (input.shape[0] > maxRows)
      throw new BatchTooLarge(`At most ${maxRows} rows per call; this call has ${input.shape[0]}.`);
    const values: (number | boolean | string | null)[] = [];
    flatten(input.data, values);
    const expected = input.shape.reduce((a, b) => a * b, 1);
    if (values.length !== expected) {
      throw new RequestRefused(
        `Input ${meta.name} has ${values.length} values; shape [${input.shape.join(', ')}] needs ${expected}.`,
        [{ path: `${where}.data`, message: 'value count does not match the shape' }],
      );
    }
    const numbers = values.map((v, i) => {
      if (v === null && meta.type.startsWith('float')) return NaN;
      if (typeof v === 'boolean' && meta.type === 'bool') return v ? 1 : 0;
      if (typeof v !== 'number')
        throw new RequestRefused(`Input ${meta.name} holds a value that is not a number.`, [
          { path: `${where}.data[${i}]`, message: 'must be a number' },
        ]);
      return v;
    });
    const targetType = meta.type === 'float32' ? 'float32' : (type ?? meta.type);
    return { name: meta.name, type: targetType, dims: input.shape, data: typedData(targetType, numbers) };
  });
  const missing = [...byName.keys()].filter((n) => !tensors.some((t) => t.name === n));
  if (missing.length > 0) throw new RequestRefused(`Missing input tensors: ${missing.join(', ')}.`);
  const known = new Set(served.info.outputs.map((o) => o.name));
  const wanted = request.outputs?.map((o) => o.name);
  const unknown = (wanted ?? []).filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new RequestRefused(
      `Model ${served.name} has no output ${unknown.map((n) => JSON.stringify(n.slice(0, 100))).join(', ')} (outputs: ${[...known].join(', ')}).`,
    );

  const outputs = await pool.infer(served.key, tensors, wanted);
  return {
    model_name: served.name,
    model_version: served.version,
    ...(request.id !== undefined ? { id: request.id } : {}),
    outputs: outputs.map((o) => ({
      name: o.name,
      datatype: toOip[o.type] ?? o.type.toUpperCase(),
      shape: o.dims,
      data: Array.from(o.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v)),
    })),
  };
}
