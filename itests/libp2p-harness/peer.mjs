// A js-libp2p 3.x peer driven over stdin/stdout, for Weft's interop tests and benchmarks.
//
//   node peer.mjs [--listen /ip4/127.0.0.1/tcp/0] [--seed-hex <64 hex>] [--pubsub gossipsub|floodsub] [--topic t]
//
// Prints one JSON object per line on stdout; the first is {"event":"listening","peerId":..,"addrs":[..]}.
// Reads one command per line on stdin (see README.md); the n-th command line (1-based) is answered by an event
// with "seq": n. Commands run concurrently. The process exits on `quit` or when stdin ends.
import './polyfill.mjs'
import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { floodsub } from '@libp2p/floodsub'
import { generateKeyPair, generateKeyPairFromSeed, publicKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'

const ECHO = '/echo/1.0.0'
const BULK = '/bulk/1.0.0'
const CHUNK = 64 * 1024
const STREAM_LIMIT = 1024

function parseArgs (argv) {
  const opts = { listen: '/ip4/127.0.0.1/tcp/0', seedHex: null, pubsub: 'gossipsub', topics: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    if (a === '--listen') opts.listen = v()
    else if (a === '--seed-hex') opts.seedHex = v()
    else if (a === '--pubsub') opts.pubsub = v()
    else if (a === '--topic') opts.topics.push(v())
    else throw new Error(`unknown option ${a}`)
  }
  if (opts.pubsub !== 'gossipsub' && opts.pubsub !== 'floodsub') throw new Error('--pubsub must be gossipsub or floodsub')
  if (opts.seedHex != null && !/^[0-9a-fA-F]{64}$/.test(opts.seedHex)) throw new Error('--seed-hex needs 64 hex digits')
  return opts
}

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function errorText (err) {
  return err?.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : String(err?.message ?? err)
}

/**
 * `size` deterministic pseudo-random bytes: xorshift32 words (little-endian) from state `seed ^ 0x9E3779B9`
 * (never 0), the same on both sides of a test (the Java tests reimplement it).
 */
function pattern (size, seed = size) {
  const out = Buffer.alloc(size)
  let x = ((seed ^ 0x9E3779B9) >>> 0) || 1
  let i = 0
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    out.writeUInt32LE(x, i)
  }
  if (i < size) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    const tail = Buffer.alloc(4)
    tail.writeUInt32LE(x, 0)
    tail.copy(out, i, 0, size - i)
  }
  return out
}

function bytesOf (chunk) {
  return chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

/** Sends `data` in 64 KiB slices with backpressure; stops early (returning the bytes sent) once `limit` is hit. */
async function sendAll (stream, data, limit = data.length) {
  let sent = 0
  while (sent < limit) {
    const end = Math.min(sent + CHUNK, limit)
    if (!stream.send(data.subarray(sent, end))) await stream.onDrain()
    sent = end
  }
  return sent
}

/** Reads to the end of the stream; returns the byte count and sha256. */
async function readAllHash (stream) {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of stream) {
    const b = bytesOf(chunk)
    hash.update(b)
    bytes += b.length
  }
  return { bytes, sha256: hash.digest('hex') }
}

function sha256 (data) {
  return createHash('sha256').update(data).digest('hex')
}

function target (text) {
  return text.startsWith('/') ? multiaddr(text) : peerIdFromString(text)
}

function connInfo (conn) {
  return {
    remotePeer: conn.remotePeer.toString(),
    remoteAddr: conn.remoteAddr.toString(),
    direction: conn.direction,
    encryption: conn.encryption,
    muxer: conn.multiplexer
  }
}

async function main () {
  const opts = parseArgs(process.argv.slice(2))
  const privateKey = opts.seedHex != null
    ? await generateKeyPairFromSeed('Ed25519', Buffer.from(opts.seedHex, 'hex'))
    : await generateKeyPair('Ed25519')
  const router = opts.pubsub === 'gossipsub'
    ? gossipsub({ emitSelf: false, allowPublishToZeroTopicPeers: true })
    : floodsub({ emitSelf: false })
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [opts.listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      // the benchmark and the tests open many connections from 127.0.0.1 in a row
      inboundConnectionThreshold: 1_000_000,
      maxIncomingPendingConnections: 256
    },
    services: { identify: identify(), ping: ping(), pubsub: router }
  })

  /** The last identify result per peer (peer:identify), and waiters for the next one. */
  const identified = new Map()
  const identifyWaiters = new Map()
  node.addEventListener('peer:identify', (evt) => {
    const r = evt.detail
    const id = r.peerId.toString()
    identified.set(id, r)
    emit({
      event: 'peer:identify',
      peerId: id,
      agentVersion: r.agentVersion ?? null,
      protocolVersion: r.protocolVersion ?? null,
      protocols: r.protocols,
      listenAddrs: r.listenAddrs.map(String),
      observedAddr: r.observedAddr?.toString() ?? null
    })
    for (const w of identifyWaiters.get(id) ?? []) w(r)
    identifyWaiters.delete(id)
  })
  node.addEventListener('connection:open', (evt) => emit({ event: 'connection:open', ...connInfo(evt.detail) }))
  node.addEventListener('connection:close', (evt) => emit({ event: 'connection:close', ...connInfo(evt.detail) }))

  const pubsub = node.services.pubsub
  pubsub.addEventListener('message', (evt) => {
    const m = evt.detail
    const text = Buffer.from(m.data).toString('utf8')
    emit({
      event: 'message',
      topic: m.topic,
      type: m.type, // 'signed' only after the router verified the StrictSign signature
      from: m.type === 'signed' ? m.from.toString() : null,
      keyMatchesFrom: m.type === 'signed' && m.key != null ? peerIdFromPublicKey(m.key).equals(m.from) : null,
      seqno: m.type === 'signed' ? m.sequenceNumber.toString() : null,
      signatureBytes: m.type === 'signed' ? m.signature.length : 0,
      text,
      base64: Buffer.from(m.data).toString('base64')
    })
  })
  pubsub.addEventListener('subscription-change', (evt) => {
    emit({
      event: 'subscription-change',
      peerId: evt.detail.peerId.toString(),
      subscriptions: evt.detail.subscriptions.map(s => ({ topic: s.topic, subscribe: s.subscribe }))
    })
  })

  const handlerOpts = { maxInboundStreams: STREAM_LIMIT, maxOutboundStreams: STREAM_LIMIT }
  const streamOpts = { maxOutboundStreams: STREAM_LIMIT }

  // /echo/1.0.0: echo everything until EOF, then close the write side.
  await node.handle(ECHO, async (stream, connection) => {
    const hash = createHash('sha256')
    let bytes = 0
    try {
      for await (const chunk of stream) {
        const b = bytesOf(chunk)
        hash.update(b)
        bytes += b.length
        if (!stream.send(b)) await stream.onDrain()
      }
      await stream.close()
      emit({ event: 'served', protocol: ECHO, remotePeer: connection.remotePeer.toString(), ok: true, bytes, sha256: hash.digest('hex') })
    } catch (err) {
      stream.abort(err)
      emit({ event: 'served', protocol: ECHO, remotePeer: connection.remotePeer.toString(), ok: false, bytes, error: errorText(err) })
    }
  }, handlerOpts)

  // /bulk/1.0.0: count bytes until EOF, answer the count as 8 bytes big-endian, close.
  await node.handle(BULK, async (stream, connection) => {
    let bytes = 0
    try {
      for await (const chunk of stream) bytes += chunk.byteLength
      const ack = Buffer.alloc(8)
      ack.writeBigUInt64BE(BigInt(bytes))
      stream.send(ack)
      await stream.close()
      emit({ event: 'served', protocol: BULK, remotePeer: connection.remotePeer.toString(), ok: true, bytes })
    } catch (err) {
      stream.abort(err)
      emit({ event: 'served', protocol: BULK, remotePeer: connection.remotePeer.toString(), ok: false, bytes, error: errorText(err) })
    }
  }, handlerOpts)

  await node.start()
  for (const t of opts.topics) pubsub.subscribe(t)

  async function awaitIdentify (peer, ms) {
    const id = peer.toString()
    if (identified.has(id)) return identified.get(id)
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no identify from ${id} within ${ms} ms`)), ms)
      const list = identifyWaiters.get(id) ?? []
      list.push((r) => { clearTimeout(timer); resolve(r) })
      identifyWaiters.set(id, list)
    })
  }

  /** One echo round trip of `size` pattern bytes on a new stream. */
  async function echoOnce (to, protocol, size, seed = size) {
    const data = pattern(size, seed)
    const stream = await node.dialProtocol(to, protocol, streamOpts)
    const writer = (async () => { await sendAll(stream, data); await stream.close() })()
    const [, got] = await Promise.all([writer, readAllHash(stream)])
    const sent = sha256(data)
    return { ok: got.bytes === size && got.sha256 === sent, size, received: got.bytes, sentSha256: sent, receivedSha256: got.sha256 }
  }

  const commands = {
    async dial ([ma]) {
      const start = performance.now()
      const conn = await node.dial(multiaddr(ma))
      return { ok: true, ms: performance.now() - start, ...connInfo(conn) }
    },
    // closes every connection to the peer
    async hangup ([peer]) {
      await node.hangUp(peerIdFromString(peer))
      return { ok: true }
    },
    async 'identify-info' ([peer, ms = '10000']) {
      const id = peerIdFromString(peer)
      const r = await awaitIdentify(id, Number(ms))
      let publicKeyMatches = false
      if (r.publicKey != null) publicKeyMatches = peerIdFromPublicKey(publicKeyFromProtobuf(r.publicKey)).equals(id)
      return {
        ok: true,
        peerId: peer,
        agentVersion: r.agentVersion ?? null,
        protocolVersion: r.protocolVersion ?? null,
        protocols: r.protocols,
        listenAddrs: r.listenAddrs.map(String),
        publicKeyMatches
      }
    },
    async ping ([to]) {
      const rtt = await node.services.ping.ping(target(to))
      return { ok: true, rtt }
    },
    async echo ([to, protocol, size]) {
      return await echoOnce(target(to), protocol, Number(size))
    },
    async streams ([to, protocol, count, size]) {
      const t = target(to)
      const n = Number(count)
      const start = performance.now()
      const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => echoOnce(t, protocol, Number(size), i + 1)))
      const okCount = results.filter(r => r.status === 'fulfilled' && r.value.ok).length
      const errors = results.filter(r => r.status === 'rejected').map(r => errorText(r.reason)).slice(0, 5)
      return { ok: okCount === n, count: n, okCount, errors, ms: performance.now() - start }
    },
    // sends half of `size` pattern bytes, then closes the write side (reading what comes back) or resets
    async abort ([to, protocol, size, mode]) {
      if (mode !== 'close' && mode !== 'reset') throw new Error('mode must be close or reset')
      const data = pattern(Number(size))
      const stream = await node.dialProtocol(target(to), protocol, streamOpts)
      const reader = readAllHash(stream).catch(err => ({ error: errorText(err) }))
      const sent = await sendAll(stream, data, Math.floor(data.length / 2))
      if (mode === 'reset') {
        stream.abort(new Error('aborted mid-transfer by the test'))
        await reader
        return { ok: true, mode, sent, status: stream.status }
      }
      await stream.close()
      const got = await reader
      return { ok: true, mode, sent, received: got.bytes ?? null, readError: got.error ?? null, status: stream.status }
    },
    async subscribe ([topic]) {
      pubsub.subscribe(topic)
      return { ok: true, topic }
    },
    async subscribers ([topic]) {
      return { ok: true, topic, peers: pubsub.getSubscribers(topic).map(String) }
    },
    async publish ([topic, ...words]) {
      const text = words.join(' ')
      const r = await pubsub.publish(topic, new TextEncoder().encode(text))
      return { ok: true, topic, text, recipients: (r?.recipients ?? []).map(String) }
    },
    async bulk ([to, protocol, mib]) {
      const total = Number(mib) * 1024 * 1024
      const chunk = pattern(CHUNK, 7)
      const stream = await node.dialProtocol(target(to), protocol, streamOpts)
      const start = performance.now()
      let sent = 0
      while (sent < total) {
        const n = Math.min(CHUNK, total - sent)
        if (!stream.send(n === CHUNK ? chunk : chunk.subarray(0, n))) await stream.onDrain()
        sent += n
      }
      await stream.close()
      const parts = []
      for await (const c of stream) parts.push(Buffer.from(bytesOf(c)))
      const ms = performance.now() - start
      const ack = Buffer.concat(parts)
      const acked = ack.length === 8 ? Number(ack.readBigUInt64BE(0)) : null
      return { ok: acked === total, bytes: total, acked, ms, mbps: total / 1e6 / (ms / 1000) }
    },
    // `count` fresh connections in a row (TCP + Noise + yamux), each closed before the next: dial times in ms
    async 'connect-time' ([ma, count]) {
      const addr = multiaddr(ma)
      const peer = peerIdFromString(addr.getComponents().find(c => c.name === 'p2p').value)
      const times = []
      for (let i = 0; i < Number(count); i++) {
        await node.hangUp(peer)
        const start = performance.now()
        const conn = await node.dial(addr)
        times.push(performance.now() - start)
        await conn.close()
      }
      return { ok: true, times }
    },
    async quit () {
      await node.stop()
      return { ok: true }
    }
  }

  emit({ event: 'listening', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String), pubsub: opts.pubsub })

  let seq = 0
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    const words = line.trim().split(/\s+/).filter(Boolean)
    if (words.length === 0) return
    const n = ++seq
    const [cmd, ...args] = words
    const fn = commands[cmd]
    if (fn == null) {
      emit({ event: cmd, seq: n, ok: false, error: `unknown command ${cmd}` })
      return
    }
    fn(args).then(
      (r) => {
        emit({ event: cmd, seq: n, ...r })
        if (cmd === 'quit') process.exit(0)
      },
      (err) => emit({ event: cmd, seq: n, ok: false, error: errorText(err) })
    )
  })
  rl.on('close', () => {
    node.stop().finally(() => process.exit(0))
  })
}

process.on('unhandledRejection', (err) => emit({ event: 'error', error: errorText(err) }))
main().catch((err) => {
  emit({ event: 'error', fatal: true, error: errorText(err) })
  process.exit(1)
})
