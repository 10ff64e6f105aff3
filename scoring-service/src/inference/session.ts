/**
 * One ONNX Runtime session for one model version, and the step from the model's raw output
 * to one prediction per row. Used inside inference workers, and directly by tools (CLI,
 * benchmark) that score in-process.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { Manifest } from '../manifest/schema';
import type { RawTensor, TensorInfo } from './protocol';

export interface SessionOptions {
  /** Threads ONNX Runtime may use inside one run. */
  threads: number;
}

export async function createSession(
  model: string | Uint8Array,
  options: SessionOptions,
): Promise<ort.InferenceSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The memory arena grows with the largest batch seen and never shrinks; tree models need little memory.
    enableCpuMemArena: false,
  };
  const bytes = typeof model === 'string' ? await readFile(model) : model;
  return ort.InferenceSession.create(bytes, sessionOptions);
}

function metadataOf(list: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return list.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, dims: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) }
      : { name: m.name, type: 'non-tensor', dims: [] },
  );
}

export function sessionInfo(session: ort.InferenceSession): { inputs: TensorInfo[]; outputs: TensorInfo[] } {
  return { inputs: metadataOf(session.inputMetadata), outputs: metadataOf(session.outputMetadata) };
}

/**
 * Runs the model on a row-major float32 matrix and returns one prediction per row:
 * column 1 of a [rows, 2] probability output (the positive class), or the single value per row.
 */
export async function predictRows(
  session: ort.InferenceSession,
  spec: Pick<Manifest['model'], 'inputName' | 'outputName' | 'columns'>,
  features: Float32Array,
  rows: number,
): Promise<Float64Array> {
  const input = new ort.Tensor('float32', features, [rows, spec.columns]);
  const out = await session.run({ [spec.inputName]: input }, [spec.outputName]);
  const tensor = out[spec.outputName];
  const data = tensor.data as Float32Array | Float64Array;
  const perRow = rows === 0 ? 0 : data.length / rows;
  const scores = new Float64Array(rows);
  if (perRow === 1) for (let r = 0; r < rows; r++) scores[r] = data[r];
  else if (perRow === 2) for (let r = 0; r < rows; r++) scores[r] = data[2 * r + 1];
  else throw new Error(`Output ${spec.outputName} has ${perRow} values per row; expected 1 or 2.`);
  return scores;
}

const typedArrays: Record<string, (values: number[]) => RawTensor['data']> = {
  float32: (v) => Float32Array.from(v),
  float64: (v) => Float64Array.from(v),
  int32: (v) => Int32Array.from(v),
  int64: (v) => BigInt64Array.from(v.map((x) => BigInt(Math.trunc(x)))),
  bool: (v) => Uint8Array.from(v),
};

/** Converts plain numbers into the typed array ONNX Runtime expects for `type`. */
export function typedData(type: string, values: number[]): RawTensor['data'] {
  const make = typedArrays[type];
  if (!make) throw new Error(`Tensor type ${type} is not supported.`);
  return make(values);
}

/** Runs raw tensors in, raw tensors out: the Open Inference Protocol's view of a model. */
export async function runRaw(
  session: ort.InferenceSession,
  inputs: RawTensor[],
  outputs?: string[],
): Promise<RawTensor[]> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const t of inputs) {
    feeds[t.name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
  }
  const result = outputs && outputs.length > 0 ? await session.run(feeds, outputs) : await session.run(feeds);
  return Object.entries(result).map(([name, tensor]) => ({
    name,
    type: tensor.type,
    dims: [...tensor.dims],
    data: tensor.data as RawTensor['data'],
  }));
}
