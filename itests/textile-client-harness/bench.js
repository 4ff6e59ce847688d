#!/usr/bin/env node
'use strict'
// Client API load over grpc-websockets with the real @textile/threads-client 2.3.4 (benchmarks/client-api/run.sh):
// `--clients` concurrent loops in this process, each its own Client with its own identity and token, each
// sending one unary call at a time for `--seconds` after `--warmup` seconds that are not counted.
//
//   node bench.js --url http://127.0.0.1:6007 --op create|find [--clients 16] [--seconds 60] [--warmup 10]
//                 [--preload 1000]
//
// create: one Person per call into a fresh database. find: Where('age').eq(k), k cycling through 0..99, over
// --preload Persons with age i % 100 and an index on age (10 results of ~100 bytes each).
// Prints one JSON line: {transport, op, clients, seconds, requests, rps, p50Ms, p90Ms, p99Ms, maxMs, errors, firstError}.

const { Where } = require('@textile/threads-client')
const { PrivateKey } = require('@textile/crypto')
const { ThreadID } = require('@textile/threads-id')
const { parseArgs, emit, within, newClient, percentile } = require('./lib')

const args = parseArgs(process.argv.slice(2))
const url = args.url || 'http://127.0.0.1:6007'
const op = args.op || 'create'
const clients = Number(args.clients || 16)
const seconds = Number(args.seconds || 60)
const warmup = Number(args.warmup || 10)
const preload = Number(args.preload || 1000)

const schema = {
  title: 'Person',
  type: 'object',
  required: ['_id'],
  properties: {
    _id: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    age: { type: 'integer', minimum: 0 }
  }
}

async function main () {
  if (op !== 'create' && op !== 'find') throw new Error(`--op must be create or find, got ${op}`)
  const admin = newClient(url)
  await within('getToken', admin.getToken(PrivateKey.fromRandom()))
  const db = ThreadID.fromRandom()
  await within('newDB', admin.newDB(db, `bench-ws-${op}`))
  await within('newCollection', admin.newCollection(db, { name: 'Person', schema, indexes: [{ path: 'age', unique: false }] }))
  if (op === 'find') {
    for (let i = 0; i < preload; i += 100) {
      const batch = []
      for (let j = i; j < Math.min(preload, i + 100); j++) {
        batch.push({ _id: '', firstName: `First${j}`, lastName: `Last${j}`, age: j % 100 })
      }
      await within('preload', admin.create(db, 'Person', batch), 120000)
    }
  }
  const loops = []
  for (let c = 0; c < clients; c++) {
    const client = newClient(url)
    await within('getToken', client.getToken(PrivateKey.fromRandom()))
    loops.push(client)
  }

  const start = Date.now()
  const measureFrom = start + warmup * 1000
  const end = measureFrom + seconds * 1000
  const latencies = []
  let errors = 0
  let firstError
  let seq = 0
  const call = (client) => {
    const n = seq++
    return op === 'create'
      ? client.create(db, 'Person', [{ _id: '', firstName: 'Bench', lastName: `Loop${n}`, age: n % 100 }])
      : client.find(db, 'Person', new Where('age').eq(n % 100))
  }
  const loop = async (client) => {
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint()
      let ok = true
      try {
        const r = await within(op, call(client))
        if (op === 'find' && preload >= 100 && r.length !== Math.floor(preload / 100)) {
          throw new Error(`find returned ${r.length} instances, expected ${Math.floor(preload / 100)}`)
        }
      } catch (e) {
        ok = false
        if (Date.now() >= measureFrom) { // also a call of the window that failed (e.g. timed out) after it
          errors++
          if (firstError === undefined) firstError = e.message
        }
      }
      const done = Date.now()
      if (ok && done >= measureFrom && done < end) {
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6)
      }
    }
  }
  await Promise.all(loops.map(loop))
  latencies.sort((a, b) => a - b)
  const r2 = (x) => Math.round(x * 100) / 100
  emit({
    transport: 'grpc-websockets (JS @textile/threads-client 2.3.4)',
    op,
    clients,
    seconds,
    requests: latencies.length,
    rps: r2(latencies.length / seconds),
    p50Ms: r2(percentile(latencies, 0.5)),
    p90Ms: r2(percentile(latencies, 0.9)),
    p99Ms: r2(percentile(latencies, 0.99)),
    maxMs: r2(latencies[latencies.length - 1]),
    errors,
    firstError
  })
}

main().then(() => process.exit(0), (e) => {
  process.stderr.write(`bench failed: ${e && e.stack ? e.stack : e}\n`)
  process.exit(1)
})
