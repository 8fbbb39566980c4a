/**
 * node:net's `Socket` and `Server` are old-style constructors: `net.Server()`
 * works without `new`, and Node's own code and tests call them that way. A
 * class cannot be called, so the exported binding is the class behind a
 * Proxy whose call makes an instance; `new`, `instanceof`, subclassing and
 * statics all reach the class itself.
 * @module
 */
export function callable<C extends abstract new (...args: never[]) => unknown>(Class: C): C {
  return new Proxy(Class, {
    apply: (target, _thisArg, args: unknown[]) => Reflect.construct(target, args),
  });
}
