declare module 'murmurhash3js-revisited' {
  /** MurmurHash3 x86 32-bit over bytes; returns an unsigned 32-bit integer. */
  export const x86: { hash32(bytes: Uint8Array | number[], seed?: number): number };
}
