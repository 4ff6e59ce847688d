// Node 20 lacks Promise.withResolvers (ES2024), which libp2p 3.x and its dependencies (it-queue, mortice,
// yamux, noise, ...) call at start. Imported first by peer.mjs; a no-op on Node >= 22.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}
