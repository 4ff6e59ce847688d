'use strict'
// Small helpers shared by compat.js and bench.js: argument parsing, JSON-line output, deadlines, expected
// rejections, and a listener that records the events of the real client's listen().

const { Client } = require('@textile/threads-client')
const { Context } = require('@textile/context')

/** Per-call deadline (ms): generous, for a loaded 2-core CI machine. */
const CALL_MS = Number(process.env.COMPAT_CALL_TIMEOUT_MS || 30000)

/** `--name value` pairs and bare words (the command) from argv. */
function parseArgs (argv) {
  const out = { _: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a.startsWith('--')) {
      const name = a.slice(2)
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) {
        out[name] = true
      } else {
        out[name] = next
        i++
      }
    } else {
      out._.push(a)
    }
  }
  return out
}

/** Writes one JSON line to stdout. */
function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

class TimeoutError extends Error {}

/** Resolves or rejects as `p` does, or rejects with a TimeoutError naming `what` after `ms`. */
function within (what, p, ms = CALL_MS) {
  let timer
  const deadline = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([Promise.resolve(p), deadline]).finally(() => clearTimeout(timer))
}

/**
 * Expects `p` to reject (within the deadline) with a message matching `re`; returns the message.
 * A success, a timeout or another message fails with a clear description.
 */
async function rejects (what, p, re) {
  let value
  try {
    value = await within(what, p)
  } catch (e) {
    if (e instanceof TimeoutError) throw e
    const message = e && e.message !== undefined ? String(e.message) : String(e)
    if (re && !re.test(message)) {
      throw new Error(`${what}: rejected with "${message}", expected a message matching ${re}`)
    }
    if (message.trim() === '') {
      throw new Error(`${what}: rejected with an empty message`)
    }
    return message
  }
  throw new Error(`${what}: succeeded (${JSON.stringify(value)}), expected an error matching ${re}`)
}

/** A client of the real package for the peer at `url` (http://host:port of its grpc-websockets endpoint). */
function newClient (url) {
  return new Client(new Context(url))
}

/**
 * Records the updates of `client.listen(dbId, filters, ...)`. `waitFor(pred, from)` waits (with a deadline) for
 * the first recorded update at index >= from that matches; `error` holds the stream's error if it ended with one.
 */
function record (client, dbId, filters) {
  const events = []
  let waiters = []
  const state = { error: undefined, ended: false }
  const notify = () => {
    const w = waiters
    waiters = []
    w.forEach((f) => f())
  }
  const handle = client.listen(dbId, filters, (update, err) => {
    if (err) {
      state.error = err
    } else if (update === undefined) {
      state.ended = true
    } else {
      events.push(update)
    }
    notify()
  })
  return {
    events,
    state,
    close: () => handle.close(),
    /** Index of the first event at or after `from` matching `pred`, waiting up to `ms`. */
    async waitFor (what, pred, from = 0, ms = CALL_MS) {
      const deadline = Date.now() + ms
      for (;;) {
        for (let i = from; i < events.length; i++) {
          if (pred(events[i])) return i
        }
        if (state.error) throw new Error(`${what}: the listen stream failed: ${state.error.message}`)
        if (state.ended) throw new Error(`${what}: the listen stream ended`)
        const left = deadline - Date.now()
        if (left <= 0) {
          throw new TimeoutError(`${what}: no matching listen update within ${ms} ms; got ${JSON.stringify(events.slice(from))}`)
        }
        await new Promise((resolve) => {
          const t = setTimeout(resolve, left)
          waiters.push(() => { clearTimeout(t); resolve() })
        })
      }
    }
  }
}

/** Latency percentile (0..1) of a sorted array of numbers. */
function percentile (sorted, p) {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[i]
}

module.exports = { CALL_MS, TimeoutError, parseArgs, emit, within, rejects, newClient, record, percentile }
