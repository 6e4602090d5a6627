type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;

/** A copy of `a` in a new array of the same type with room for `capacity` elements (the growable lists' step). */
export function grownCopy<T extends TypedArray>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}
