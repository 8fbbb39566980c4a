/**
 * node:net's `Socket` and `Server` are old-style constructors: `net.Server()`
 * works without `new`, and Node's own code and tests call them that way. A
 * class cannot be called, so the exported binding is the class behind a
 * Proxy whose call makes an instance; `new`, `instanceof`, subclassing and
 * statics all reach the class itself.
 *
 * `new` through the Proxy constructs with the class itself as `new.target`.
 * With the Proxy there, V8 cannot use the class's initial map and gives
 * every instance a map of its own: each property access on a socket then
 * missed its inline cache (megamorphic loads were 10% of an HTTP server's
 * CPU, against 3% for node:http on node:net).
 * @module
 */
export function callable<C extends abstract new (...args: never[]) => unknown>(Class: C): C {
  const proxy: C = new Proxy(Class, {
    apply: (target, _thisArg, args: unknown[]) => Reflect.construct(target, args),
    construct: (target, args: unknown[], newTarget: Function) => Reflect.construct(target, args, newTarget === proxy ? target : newTarget) as object,
  });
  return proxy;
}
