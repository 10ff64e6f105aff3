/**
 * @jest-environment ./test/ort-environment.js
 */
import * as ort from 'onnxruntime-node';
import { isDeepStrictEqual } from 'node:util';
import { attribute, decodeModel, encodeModel, onnx } from '../../src/onnx/proto';
import { treeEnsembleToOnnx } from '../../src/trees/to-onnx';
import type { TreeEnsemble } from '../../src/trees/ensemble';
import { nextUpFloat32, treeEnsembleFromOnnx } from '../../src/trees/from-onnx';
import { treeEnsembleFromXgboost } from '../../src/trees/from-xgboost';
import { predictMargin } from '../../src/trees/predict';
import { batch, BUNDLED, bundledCase, fixtureCase, shapeCases, type GoldenCase } from '../importer/golden';
import { refusal as refusalOf } from '../package/refusal';

/** Decodes a model, lets the test edit its graph, encodes it again. */
function edit(bytes: Uint8Array, change: (graph: onnx.IGraphProto, model: onnx.IModelProto) => void): Uint8Array {
  const model = decodeModel(bytes).toJSON() as onnx.IModelProto;
  const decoded = onnx.ModelProto.fromObject(model);
  change(decoded.graph!, decoded);
  return encodeModel(decoded);
}

function setAttr(node: onnx.INodeProto, attr: onnx.IAttributeProto): void {
  node.attribute = [...(node.attribute ?? []).filter((a) => a.name !== attr.name), attr];
}
const getAttr = (node: onnx.INodeProto, name: string): onnx.IAttributeProto =>
  node.attribute!.find((a) => a.name === name)!;
const strings = (a: onnx.IAttributeProto): string[] => a.strings!.map((s) => Buffer.from(s).toString());
const ints = (a: onnx.IAttributeProto): number[] => a.ints!.map(Number);
const prevFloat32 = (x: number): number => {
  if (x === 0) return -(2 ** -149);
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  bits[0] += x > 0 ? -1 : 1;
  return f[0];
};

async function runOrt(bytes: Uint8Array, golden: GoldenCase, output: string): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const width = golden.rows[0].length;
    const out = await session.run({
      input: new ort.Tensor('float32', batch(golden.rows), [golden.rows.length, width]),
    });
    const data = out[output].data as Float32Array;
    const stride = data.length / golden.rows.length;
    return golden.rows.map((_, i) => data[i * stride + stride - 1]);
  } finally {
    await session.release();
  }
}

const refusal = (bytes: Uint8Array) => refusalOf(() => treeEnsembleFromOnnx(bytes));

const ties = shapeCases().find((c) => c.label.includes('binary-ties'))!;

describe('treeEnsembleFromOnnx', () => {
  const cases = [
    ...BUNDLED.map(([n, v]) => bundledCase(n, v)),
    ...shapeCases(),
    fixtureCase('binary'),
    fixtureCase('poisson'),
    fixtureCase('regression'),
  ];

  it.each(cases.map((c) => [c.label, c] as const))(
    'reads back exactly what from-xgboost produced (%s), covers included',
    (_label, golden) => {
      const fromXgboost = treeEnsembleFromXgboost(golden.xgboostText);
      const read = treeEnsembleFromOnnx(treeEnsembleToOnnx(fromXgboost).bytes);
      expect(read.covers).toBe('onnx');
      expect(read.inputName).toBe('input');
      expect(isDeepStrictEqual(read.ensemble, fromXgboost)).toBe(true);
    },
  );

  it('rewrites BRANCH_LEQ, BRANCH_GTE and BRANCH_GT splits into the exact x < t rule', async () => {
    const original = treeEnsembleFromXgboost(ties.xgboostText);
    const lt = treeEnsembleToOnnx(original);
    const expected = await runOrt(lt.bytes, ties, 'probabilities');
    for (const mode of ['BRANCH_LEQ', 'BRANCH_GTE', 'BRANCH_GT']) {
      const bytes = edit(lt.bytes, (graph) => {
        const node = graph.node![0];
        const modes = strings(getAttr(node, 'nodes_modes'));
        const values = getAttr(node, 'nodes_values').floats!.map(Number);
        const trueIds = ints(getAttr(node, 'nodes_truenodeids'));
        const falseIds = ints(getAttr(node, 'nodes_falsenodeids'));
        const missing = ints(getAttr(node, 'nodes_missing_value_tracks_true'));
        const branch = modes.map((m) => m !== 'LEAF');
        const swap = mode !== 'BRANCH_LEQ';
        const shift = mode !== 'BRANCH_GTE';
        setAttr(
          node,
          attribute(
            'nodes_modes',
            'strings',
            modes.map((m) => (m === 'LEAF' ? m : mode)),
          ),
        );
        setAttr(
          node,
          attribute(
            'nodes_values',
            'floats',
            values.map((v, i) => (branch[i] && shift ? prevFloat32(v) : v)),
          ),
        );
        setAttr(node, attribute('nodes_truenodeids', 'ints', swap ? falseIds : trueIds));
        setAttr(node, attribute('nodes_falsenodeids', 'ints', swap ? trueIds : falseIds));
        setAttr(
          node,
          attribute(
            'nodes_missing_value_tracks_true',
            'ints',
            missing.map((m, i) => (branch[i] && swap ? 1 - m : m)),
          ),
        );
      });
      // ONNX Runtime agrees the rewritten model is the same model, ties on thresholds included...
      expect(await runOrt(bytes, ties, 'probabilities')).toEqual(expected);
      // ...and the reader turns it back into the very same trees.
      expect(isDeepStrictEqual(treeEnsembleFromOnnx(bytes).ensemble, original)).toBe(true);
    }
  });

  it('reads an onnxmltools-style count model (no base values, Exp then Mul by base_score)', async () => {
    const golden = fixtureCase('poisson');
    const fromXgboost = treeEnsembleFromXgboost(golden.xgboostText);
    const withoutBase: TreeEnsemble = { ...fromXgboost, baseMargin: 0 };
    const bytes = edit(treeEnsembleToOnnx(withoutBase).bytes, (graph, model) => {
      model.metadataProps = []; // a foreign file: no base_margin_tree marker, tree 0 (the zero leaf) stays a tree
      const exp = graph.node!.find((n) => n.opType === 'Exp')!;
      exp.output = ['exp_margin'];
      graph.initializer = [
        { name: 'base_score', dataType: onnx.TensorProto.DataType.FLOAT, dims: [1], floatData: [0.5] },
      ];
      graph.node!.push({
        opType: 'Mul',
        domain: '',
        name: 'scale',
        input: ['exp_margin', 'base_score'],
        output: ['prediction'],
      });
    });
    const read = treeEnsembleFromOnnx(bytes);
    expect(read.ensemble.link).toBe('log');
    expect(read.outputName).toBe('prediction');
    expect(read.ensemble.baseMargin).toBe(fromXgboost.baseMargin);
    expect(read.ensemble.trees).toHaveLength(fromXgboost.trees.length + 1);
    golden.rows.forEach((row, i) =>
      expect(Math.abs(predictMargin(read.ensemble, row) - golden.margin[i])).toBeLessThanOrEqual(1e-5),
    );
    // exp(sum) * base_score rounds differently from exp(sum + ln base_score): close, not exact (why our writer does neither).
    const counts = await runOrt(bytes, golden, 'prediction');
    counts.forEach((q, i) =>
      expect(Math.abs(q - golden.prediction[i]) / Math.max(1, golden.prediction[i])).toBeLessThanOrEqual(1e-5),
    );
  });

  it('reads base_values as the base margin when a producer uses them', () => {
    const fromXgboost = treeEnsembleFromXgboost(fixtureCase('binary').xgboostText);
    const bytes = edit(treeEnsembleToOnnx({ ...fromXgboost, baseMargin: 0 }).bytes, (graph, model) => {
      model.metadataProps = model.metadataProps!.filter((p) => p.key !== 'base_margin_tree');
      setAttr(graph.node![0], attribute('base_values', 'floats', [-1.25]));
    });
    expect(treeEnsembleFromOnnx(bytes).ensemble.baseMargin).toBe(-1.25);
  });

  it('reports covers "none" when nodes_hitrates is absent, so the caller computes them', () => {
    const bytes = edit(
      treeEnsembleToOnnx(treeEnsembleFromXgboost(fixtureCase('regression').xgboostText)).bytes,
      (graph) => {
        graph.node![0].attribute = graph.node![0].attribute!.filter((a) => a.name !== 'nodes_hitrates');
      },
    );
    expect(treeEnsembleFromOnnx(bytes).covers).toBe('none');
  });

  it('reads the opset-5 TreeEnsemble operator', async () => {
    const golden = fixtureCase('regression');
    const source = treeEnsembleFromXgboost(golden.xgboostText);
    const bytes = opset5Model(source);
    const read = treeEnsembleFromOnnx(bytes);
    expect(read.operator).toBe('TreeEnsemble');
    expect(read.covers).toBe('none'); // opset 5 has no hit rates on leaves
    golden.rows.forEach((row, i) =>
      expect(Math.abs(predictMargin(read.ensemble, row) - golden.margin[i])).toBeLessThanOrEqual(1e-5),
    );
    // ONNX Runtime runs the same file to the same values.
    const values = await runOrt(bytes, golden, 'prediction');
    values.forEach((v, i) => expect(Math.abs(v - golden.prediction[i])).toBeLessThanOrEqual(1e-5));
  });

  it('computes the next float32 up for <= thresholds', () => {
    expect(nextUpFloat32(1)).toBe(1 + 2 ** -23);
    expect(nextUpFloat32(-1)).toBe(Math.fround(-1 + 2 ** -24));
    expect(nextUpFloat32(0)).toBe(2 ** -149);
    expect(nextUpFloat32(Infinity)).toBe(Infinity);
  });
});

describe('refusals name the operator setting that cannot be read', () => {
  const binary = treeEnsembleToOnnx(treeEnsembleFromXgboost(fixtureCase('binary').xgboostText)).bytes;
  const regression = treeEnsembleToOnnx(treeEnsembleFromXgboost(fixtureCase('regression').xgboostText)).bytes;

  it('refuses equality splits', () => {
    const bytes = edit(binary, (graph) => {
      const node = graph.node![0];
      setAttr(
        node,
        attribute(
          'nodes_modes',
          'strings',
          strings(getAttr(node, 'nodes_modes')).map((m) => (m === 'LEAF' ? m : 'BRANCH_EQ')),
        ),
      );
    });
    expect(refusal(bytes).message).toMatch(/split mode BRANCH_EQ cannot be expressed/);
  });

  it('refuses softmax classifiers and multi-class labels', () => {
    expect(
      refusal(edit(binary, (g) => setAttr(g.node![0], attribute('post_transform', 'string', 'SOFTMAX')))).message,
    ).toMatch(/post_transform SOFTMAX/);
    expect(
      refusal(edit(binary, (g) => setAttr(g.node![0], attribute('classlabels_int64s', 'ints', [0, 1, 2])))).message,
    ).toMatch(/3 class labels/);
  });

  it('refuses averaged forests and several targets', () => {
    expect(
      refusal(edit(regression, (g) => setAttr(g.node![0], attribute('aggregate_function', 'string', 'AVERAGE'))))
        .message,
    ).toMatch(/aggregate_function AVERAGE/);
    expect(refusal(edit(regression, (g) => setAttr(g.node![0], attribute('n_targets', 'int', 2)))).message).toMatch(
      /2 targets/,
    );
  });

  it('refuses bytes that are not an ONNX tree model', () => {
    expect(refusal(Buffer.from('not a model at all')).code).toBe('onnx-invalid');
    const noTrees = encodeModel({ irVersion: 8, graph: { name: 'g', node: [] } });
    expect(refusal(noTrees).message).toMatch(/0 tree ensemble operators/);
  });
});

type NodeArrays = Record<'roots' | 'feature' | 'split' | 'mode' | 't' | 'tl' | 'f' | 'fl' | 'miss' | 'w', number[]>;
function push(
  a: NodeArrays,
  node: Record<'feature' | 'split' | 'mode' | 'miss' | 't' | 'tl' | 'f' | 'fl', number>,
): void {
  for (const [key, value] of Object.entries(node)) a[key as keyof NodeArrays].push(value);
}

/** A regressor written with the opset-5 TreeEnsemble operator (interior nodes and leaves in separate arrays). */
function opset5Model(ensemble: TreeEnsemble): Uint8Array {
  const a: NodeArrays = { roots: [], feature: [], split: [], mode: [], t: [], tl: [], f: [], fl: [], miss: [], w: [] };
  const trees = [
    { feature: Int32Array.of(-1), value: Float64Array.of(ensemble.baseMargin) } as TreeEnsemble['trees'][number],
    ...ensemble.trees,
  ];
  for (const tree of trees) {
    const interior = new Map<number, number>();
    const leaf = new Map<number, number>();
    for (let n = 0; n < tree.feature.length; n++) {
      if (tree.feature[n] >= 0) interior.set(n, interior.size + a.feature.length);
      else leaf.set(n, leaf.size + a.w.length);
    }
    if (interior.size === 0) {
      // A lone leaf: one node whose branches both reach it.
      a.roots.push(a.feature.length);
      push(a, { feature: 0, split: 0, mode: 0, miss: 0, t: a.w.length, tl: 1, f: a.w.length, fl: 1 });
      a.w.push(tree.value[0]);
      continue;
    }
    a.roots.push(interior.get(0)!);
    for (let n = 0; n < tree.feature.length; n++) {
      if (tree.feature[n] < 0) continue;
      const ref = (child: number): [number, number] =>
        tree.feature[child] >= 0 ? [interior.get(child)!, 0] : [leaf.get(child)!, 1];
      const [t, tl] = ref(tree.yes[n]);
      const [f, fl] = ref(tree.no[n]);
      push(a, { feature: tree.feature[n], split: tree.threshold[n], mode: 1, miss: tree.missingYes[n], t, tl, f, fl });
    }
    for (let n = 0; n < tree.feature.length; n++) if (tree.feature[n] < 0) a.w.push(tree.value[n]);
  }
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const floatTensor = (name: string, values: number[]): onnx.IAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.TENSOR,
    t: { name, dataType: FLOAT, dims: [values.length], floatData: values },
  });
  const node: onnx.INodeProto = {
    opType: 'TreeEnsemble',
    domain: 'ai.onnx.ml',
    input: ['input'],
    output: ['prediction'],
    attribute: [
      attribute('tree_roots', 'ints', a.roots),
      attribute('nodes_featureids', 'ints', a.feature),
      floatTensor('nodes_splits', a.split),
      {
        name: 'nodes_modes',
        type: onnx.AttributeProto.AttributeType.TENSOR,
        t: {
          name: 'nodes_modes',
          dataType: onnx.TensorProto.DataType.UINT8,
          dims: [a.mode.length],
          rawData: Uint8Array.from(a.mode),
        },
      },
      attribute('nodes_truenodeids', 'ints', a.t),
      attribute('nodes_trueleafs', 'ints', a.tl),
      attribute('nodes_falsenodeids', 'ints', a.f),
      attribute('nodes_falseleafs', 'ints', a.fl),
      attribute('nodes_missing_value_tracks_true', 'ints', a.miss),
      attribute('leaf_targetids', 'ints', new Array<number>(a.w.length).fill(0)),
      floatTensor('leaf_weights', a.w),
      attribute('n_targets', 'int', 1),
      attribute('aggregate_function', 'int', 1),
      attribute('post_transform', 'int', 0),
    ],
  };
  return encodeModel({
    irVersion: 10,
    opsetImport: [
      { domain: '', version: 21 },
      { domain: 'ai.onnx.ml', version: 5 },
    ],
    graph: {
      name: 'opset5',
      node: [node],
      input: [
        {
          name: 'input',
          type: {
            tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: ensemble.nFeatures }] } },
          },
        },
      ],
      output: [
        {
          name: 'prediction',
          type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }] } } },
        },
      ],
    },
  });
}
