/**
 * The package's model.onnx in the form BigQuery ML imports: one float input per feature column,
 * each [N, 1] and named after the SQL column, a Concat (axis 1) in front of the unchanged tree
 * ensemble, tensor outputs only (a ZipMap is dropped and its input tensor exposed), and the
 * version limits BigQuery ML's ONNX Runtime reads: ai.onnx.ml opset <= 3, IR version <= 8.
 */
import { decodeModel, encodeModel, ML_DOMAIN, onnx, tensorInfo, toNumber } from '../onnx/proto';

export const BIGQUERY_ONNX_LIMITS = { irVersion: 8, mlOpset: 3, defaultOpset: 13 } as const;

export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

export interface PerColumnOnnx {
  bytes: Uint8Array;
  inputs: string[];
  outputs: string[];
  irVersion: number;
  opsets: Record<string, number>;
}

/** The opsets and IR version of an ONNX model, as BigQuery ML checks them. */
export function onnxVersions(bytes: Uint8Array): { irVersion: number; opsets: Record<string, number> } {
  const model = decodeModel(bytes);
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) opsets[o.domain || 'ai.onnx'] = toNumber(o.version as number);
  return { irVersion: toNumber(model.irVersion as number), opsets };
}

export function perColumnOnnx(bytes: Uint8Array, inputName: string, columns: readonly string[]): PerColumnOnnx {
  const model = decodeModel(bytes);
  const { irVersion, opsets } = onnxVersions(bytes);
  const problems: string[] = [];
  if (irVersion > BIGQUERY_ONNX_LIMITS.irVersion) problems.push(`IR version ${irVersion} (at most ${BIGQUERY_ONNX_LIMITS.irVersion})`);
  if ((opsets[ML_DOMAIN] ?? 0) > BIGQUERY_ONNX_LIMITS.mlOpset)
    problems.push(`${ML_DOMAIN} opset ${opsets[ML_DOMAIN]} (at most ${BIGQUERY_ONNX_LIMITS.mlOpset})`);
  if (problems.length)
    throw new OnnxExportError(
      `model.onnx uses ${problems.join(' and ')}, newer than BigQuery ML imports. Convert it with an older target opset (onnxmltools/skl2onnx target_opset) and import it again.`,
    );
  const graph = model.graph as onnx.GraphProto;
  const input = graph.input.find((i) => i.name === inputName);
  const dims = input?.type?.tensorType?.shape?.dim ?? [];
  const width = dims.length === 2 ? toNumber(dims[1].dimValue as number) : -1;
  if (!input || width !== columns.length)
    throw new OnnxExportError(
      `model.onnx has no input ${inputName} of shape [N, ${columns.length}] (the manifest's columns); it cannot be split per column.`,
    );
  const FLOAT = onnx.TensorProto.DataType.FLOAT;

  // Tensor outputs only: a ZipMap (seq(map)) is removed and the probabilities it read become the output.
  const nodes = [...graph.node];
  const outputs: onnx.IValueInfoProto[] = [];
  for (const out of graph.output) {
    const zip = nodes.find((n) => n.opType === 'ZipMap' && (n.output ?? []).includes(out.name ?? ''));
    if (zip) {
      nodes.splice(nodes.indexOf(zip), 1);
      outputs.push(tensorInfo((zip.input ?? [])[0] ?? '', FLOAT, ['N', 'C']));
    } else if (out.type?.tensorType) outputs.push(out);
    else throw new OnnxExportError(`model.onnx output ${out.name} is not a tensor; BigQuery ML reads tensor outputs only.`);
  }

  const concat: onnx.INodeProto = {
    opType: 'Concat',
    domain: '',
    name: 'columns_to_matrix',
    input: [...columns],
    output: [inputName],
    attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
  };
  // Concat is a default-domain operator (opset 4 and later); tree models may import only ai.onnx.ml.
  const opsetImport = opsets['ai.onnx'] === undefined ? [...model.opsetImport, { domain: '', version: BIGQUERY_ONNX_LIMITS.defaultOpset }] : model.opsetImport;
  const rewritten: onnx.IModelProto = {
    ...model,
    opsetImport,
    graph: {
      ...graph,
      node: [concat, ...nodes],
      input: [...columns.map((c) => tensorInfo(c, FLOAT, ['N', 1])), ...graph.input.filter((i) => i.name !== inputName)],
      output: outputs,
    },
  };
  const out = encodeModel(rewritten);
  const versions = onnxVersions(out);
  return { bytes: out, inputs: [...columns], outputs: outputs.map((o) => o.name as string), ...versions };
}
