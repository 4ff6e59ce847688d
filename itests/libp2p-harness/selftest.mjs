// Self-test of peer.mjs, JS <-> JS: two peers on 127.0.0.1 per router pair; dial, identify, ping, echo
// 1 B / 64 KiB / 8 MiB, 100 concurrent streams, mid-transfer close/reset, pubsub both ways, bulk throughput.
// Usage: node selftest.mjs [--bulk-mib 64]. Prints one line per check and "N passed, M failed"; exit 1 on failure.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
const bulkMib = Number(process.argv[process.argv.indexOf('--bulk-mib') + 1] || 64) || 64
let passed = 0
let failed = 0

class Peer {
  constructor (args) {
    this.proc = spawn(process.execPath, [join(here, 'peer.mjs'), ...args], { cwd: here, stdio: ['pipe', 'pipe', 'pipe'] })
    this.events = []
    this.waiters = []
    this.seq = 0
    this.stderr = ''
    this.proc.stderr.on('data', (d) => { this.stderr += d })
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let ev
      try { ev = JSON.parse(line) } catch { return }
      this.events.push(ev)
      for (const w of [...this.waiters]) w()
    })
  }

  /** Waits for an event (seen before or later) matching `pred`. */
  await (pred, ms = 20000, what = 'event') {
    return new Promise((resolve, reject) => {
      const check = () => {
        const ev = this.events.find(pred)
        if (ev) { done(); resolve(ev) }
      }
      const timer = setTimeout(() => { done(); reject(new Error(`timeout waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`)) }, ms)
      const done = () => { clearTimeout(timer); this.waiters = this.waiters.filter(w => w !== check) }
      this.waiters.push(check)
      check()
    })
  }

  /** Sends a command and returns its answer. */
  async cmd (line, ms = 60000) {
    const n = ++this.seq
    this.proc.stdin.write(line + '\n')
    return await this.await(ev => ev.seq === n, ms, `answer to "${line}"`)
  }

  async start () {
    this.info = await this.await(ev => ev.event === 'listening', 20000, 'listening')
    this.addr = this.info.addrs[0]
    this.id = this.info.peerId
    return this
  }

  async stop () {
    this.proc.stdin.end()
    await new Promise(resolve => this.proc.exitCode != null ? resolve() : this.proc.once('exit', resolve))
  }
}

function check (name, ok, detail = '') {
  if (ok) passed++; else failed++
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ' — ' + detail : ''}`)
}

async function step (name, fn) {
  try { await fn() } catch (err) { check(name, false, String(err?.message ?? err)) }
}

async function pair (routerA, routerB, full) {
  const topic = `selftest-${routerA}-${routerB}`
  const a = await new Peer(['--pubsub', routerA, '--topic', topic]).start()
  const b = await new Peer(['--pubsub', routerB, '--topic', topic]).start()
  const tag = `[${routerA}/${routerB}]`
  try {
    await step(`${tag} dial`, async () => {
      const r = await a.cmd(`dial ${b.addr}`)
      check(`${tag} dial`, r.ok && r.encryption === '/noise' && r.muxer === '/yamux/1.0.0' && r.remotePeer === b.id,
        `${r.encryption} ${r.muxer} ${r.ms?.toFixed(1)} ms`)
    })
    await step(`${tag} pubsub`, async () => {
      await a.await(ev => ev.event === 'subscription-change' && ev.peerId === b.id && ev.subscriptions.some(s => s.topic === topic && s.subscribe), 20000, 'b subscribed')
      await b.await(ev => ev.event === 'subscription-change' && ev.peerId === a.id && ev.subscriptions.some(s => s.topic === topic && s.subscribe), 20000, 'a subscribed')
      await a.cmd(`publish ${topic} hello from a`)
      await b.cmd(`publish ${topic} hello from b`)
      const mb = await b.await(ev => ev.event === 'message' && ev.text === 'hello from a')
      const ma = await a.await(ev => ev.event === 'message' && ev.text === 'hello from b')
      check(`${tag} pubsub both ways`, mb.type === 'signed' && ma.type === 'signed' && mb.from === a.id && ma.from === b.id &&
        mb.keyMatchesFrom && ma.keyMatchesFrom, `${mb.type}/${ma.type}`)
    })
    if (full) {
      await step('identify', async () => {
        const ra = await a.cmd(`identify-info ${b.id}`)
        const rb = await b.cmd(`identify-info ${a.id}`)
        check('identify both ways', ra.ok && rb.ok && ra.publicKeyMatches && rb.publicKeyMatches &&
          ra.protocols.includes('/echo/1.0.0') && rb.protocols.includes('/bulk/1.0.0'), ra.agentVersion)
      })
      await step('ping', async () => {
        const r1 = await a.cmd(`ping ${b.id}`)
        const r2 = await b.cmd(`ping ${a.addr}`)
        check('ping both ways', r1.ok && r2.ok, `rtt ${r1.rtt} / ${r2.rtt} ms`)
      })
      for (const size of [1, 65536, 8 * 1024 * 1024]) {
        await step(`echo ${size}`, async () => {
          const r = await a.cmd(`echo ${b.id} /echo/1.0.0 ${size}`)
          const served = await b.await(ev => ev.event === 'served' && ev.protocol === '/echo/1.0.0' && ev.bytes === size)
          check(`echo ${size} B`, r.ok && served.sha256 === r.sentSha256, r.ok ? r.sentSha256.slice(0, 16) : JSON.stringify(r))
        })
      }
      await step('streams', async () => {
        const r = await b.cmd(`streams ${a.id} /echo/1.0.0 100 4096`)
        check('100 concurrent echo streams', r.ok, `${r.okCount}/${r.count} in ${r.ms?.toFixed(0)} ms ${r.errors?.join('; ') ?? ''}`)
      })
      for (const mode of ['close', 'reset']) {
        await step(`abort ${mode}`, async () => {
          const r = await a.cmd(`abort ${b.id} /echo/1.0.0 ${8 * 1024 * 1024} ${mode}`)
          const after = await a.cmd(`echo ${b.id} /echo/1.0.0 65536`)
          check(`${mode} mid-transfer, then echo`, r.ok && after.ok, JSON.stringify({ sent: r.sent, received: r.received, status: r.status }))
        })
      }
      await step('bulk', async () => {
        const r = await a.cmd(`bulk ${b.id} /bulk/1.0.0 ${bulkMib}`, 300000)
        check(`bulk ${bulkMib} MiB`, r.ok, `${r.mbps?.toFixed(1)} MB/s`)
      })
      await step('connect-time', async () => {
        const r = await a.cmd(`connect-time ${b.addr} 20`, 120000)
        const t = [...r.times].sort((x, y) => x - y)
        check('20 connection setups', r.ok && t.length === 20, `p50 ${t[9]?.toFixed(2)} ms, max ${t[19]?.toFixed(2)} ms`)
        await a.cmd(`dial ${b.addr}`)
      })
    }
  } finally {
    await a.stop()
    await b.stop()
  }
}

const start = Date.now()
await pair('gossipsub', 'gossipsub', true)
await pair('floodsub', 'floodsub', false)
await pair('floodsub', 'gossipsub', false)
console.log(`selftest took ${((Date.now() - start) / 1000).toFixed(1)} s`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
