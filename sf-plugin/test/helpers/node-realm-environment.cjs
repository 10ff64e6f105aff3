/**
 * Jest runs tests in a separate V8 context whose typed-array constructors differ from the
 * ones onnxruntime-node's native addon creates, so ORT's `instanceof Float32Array` checks fail
 * ("A float32 tensor's data must be type of Float32Array"). Sharing the main context's
 * typed arrays makes in-process scoring behave in tests as it does in the real CLI.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = ['Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];

class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = NodeRealmEnvironment;
