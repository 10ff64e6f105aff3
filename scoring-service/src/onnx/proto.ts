/**
 * Thin helpers over the ONNX protobuf classes (onnx-proto): encode/decode a model and
 * build or read node attributes without repeating the AttributeProto bookkeeping.
 */
import { onnx } from 'onnx-proto';

export { onnx };

export const ML_DOMAIN = 'ai.onnx.ml';
const AttrType = onnx.AttributeProto.AttributeType;

/** protobufjs returns int64 fields as Long objects when long.js is installed. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export type AttributeValue = number | string | number[] | string[] | Float32Array | Int32Array;

/** Builds an attribute; `kind` picks int/float for numbers ("floats" arrays are stored as float32). */
export function attribute(
  name: string,
  kind: 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings',
  value: AttributeValue,
): onnx.IAttributeProto {
  switch (kind) {
    case 'int':
      return { name, type: AttrType.INT, i: value as number };
    case 'float':
      return { name, type: AttrType.FLOAT, f: value as number };
    case 'string':
      return { name, type: AttrType.STRING, s: Buffer.from(value as string, 'utf8') };
    case 'ints':
      return { name, type: AttrType.INTS, ints: Array.from(value as number[]) };
    case 'floats':
      return { name, type: AttrType.FLOATS, floats: Array.from(value as number[]) };
    case 'strings':
      return { name, type: AttrType.STRINGS, strings: (value as string[]).map((s) => Buffer.from(s, 'utf8')) };
  }
}

/** Node attributes by name, with typed getters that return undefined when absent. */
export class Attributes {
  private readonly byName = new Map<string, onnx.IAttributeProto>();

  constructor(node: onnx.INodeProto) {
    for (const a of node.attribute ?? []) if (a.name) this.byName.set(a.name, a);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  int(name: string): number | undefined {
    const a = this.byName.get(name);
    return a ? toNumber(a.i as number) : undefined;
  }

  string(name: string): string | undefined {
    const a = this.byName.get(name);
    return a?.s ? Buffer.from(a.s).toString('utf8') : undefined;
  }

  ints(name: string): number[] | undefined {
    const a = this.byName.get(name);
    if (a?.t) return tensorValues(a.t);
    return a ? (a.ints ?? []).map((v) => toNumber(v as number)) : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.byName.get(name);
    if (a?.t) return tensorValues(a.t);
    return a ? (a.floats ?? []).map(Number) : undefined;
  }

  strings(name: string): string[] | undefined {
    const a = this.byName.get(name);
    return a ? (a.strings ?? []).map((s) => Buffer.from(s).toString('utf8')) : undefined;
  }
}

/** Values of a small numeric tensor attribute (the `*_as_tensor` variants, opset-5 uint8 modes). */
export function tensorValues(t: onnx.ITensorProto): number[] {
  const DT = onnx.TensorProto.DataType;
  const raw = t.rawData && t.rawData.length > 0 ? Buffer.from(t.rawData) : undefined;
  switch (t.dataType) {
    case DT.FLOAT:
      if (raw) return Array.from(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
      return (t.floatData ?? []).map(Number);
    case DT.DOUBLE:
      if (raw) return Array.from(new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
      return (t.doubleData ?? []).map(Number);
    case DT.INT64:
      if (raw)
        return Array.from(new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)), Number);
      return (t.int64Data ?? []).map((v) => toNumber(v as number));
    case DT.UINT8:
    case DT.INT32:
    case DT.INT8:
    case DT.UINT16:
    case DT.INT16:
      if (raw && t.dataType === DT.UINT8) return Array.from(raw);
      return (t.int32Data ?? []).map(Number);
    default:
      throw new Error(`tensor attribute ${t.name ?? ''} has unsupported data type ${String(t.dataType)}`);
  }
}

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}

export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** A float32 tensor value info with a symbolic batch dimension. */
export function tensorInfo(
  name: string,
  elemType: onnx.TensorProto.DataType,
  dims: (number | string)[],
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
