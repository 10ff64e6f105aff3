/**
 * Jest environment for tests that run onnxruntime-node. The native binding returns typed
 * arrays made in Node's own realm, while onnxruntime-common (loaded inside jest's sandbox)
 * checks `data instanceof Float32Array` against the sandbox's constructors and throws.
 * Sharing the host's typed-array constructors makes both sides agree.
 * Use with a `@jest-environment ./test/ort-environment.js` docblock (path from scoring-service).
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OrtEnvironment;
