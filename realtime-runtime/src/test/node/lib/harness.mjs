// Shared helpers of the compatibility suite: the environment RealtimeJsCompatIT passes, a
// RealtimeClient built exactly as an application builds one, polling waits, and a PostgreSQL
// connection (node-postgres) to write rows with.
//
// Environment (RealtimeJsCompatIT sets all of it; see README.md for a manual run):
//   SLIPSTREAM_REALTIME_URL  the endpoint handed to RealtimeClient, e.g. ws://127.0.0.1:4000/realtime/v1
//   SLIPSTREAM_APIKEY        optional apikey parameter (default: see APIKEY below)
//   SLIPSTREAM_VSN           the serializer: 1.0.0 or 2.0.0
//   SLIPSTREAM_JWT_SECRET    HS256 secret the runtime verifies tokens with, if any
//   PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE   read by node-postgres itself

import { RealtimeClient } from '@supabase/realtime-js'
import pg from 'pg'
import { randomBytes, createHmac } from 'node:crypto'

export const REALTIME_URL = required('SLIPSTREAM_REALTIME_URL')
export const JWT_SECRET = process.env.SLIPSTREAM_JWT_SECRET || ''
export const VSN = process.env.SLIPSTREAM_VSN || '2.0.0'
export const DEFAULT_TIMEOUT_MS = Number(process.env.SLIPSTREAM_WAIT_MS || 15000)

/**
 * The apikey every client connects with: SLIPSTREAM_APIKEY when set; otherwise, when the runtime
 * has a JWT secret, an anon token signed with it (valid one hour, as Supabase's anon key is a JWT
 * with role anon); otherwise any string (a runtime without authentication ignores it).
 */
export const APIKEY = process.env.SLIPSTREAM_APIKEY
  || (JWT_SECRET ? signJwt({ role: 'anon', iss: 'slipstream-compat', exp: nowSeconds() + 3600 }) : 'compat-suite-anon-key')

function required(name) {
  const value = process.env[name]
  if (!value) {
    throw new Error(`${name} is not set: run this suite through RealtimeJsCompatIT or see README.md`)
  }
  return value
}

/** A short tag unique to this test, written into each row's `run` column. */
export function runTag(prefix = 'run') {
  return `${prefix}-${VSN}-${randomBytes(5).toString('hex')}`
}

/**
 * A RealtimeClient as an application creates one. Every client made through this is
 * disconnected when the test ends (t.after), whatever the outcome. `options.url` connects it to
 * another endpoint than SLIPSTREAM_REALTIME_URL (another pod of the tenant).
 */
export function newClient(t, options = {}) {
  const logs = []
  const { params, url, ...rest } = options
  const client = new RealtimeClient(url ?? REALTIME_URL, {
    vsn: VSN,
    logger: (kind, msg, data) => logs.push(`${kind}: ${msg}${data === undefined ? '' : ' ' + safeJson(data)}`),
    ...rest,
    params: { apikey: APIKEY, ...(params ?? {}) },
  })
  client.compatLogs = logs
  t.after(async () => {
    try {
      await client.removeAllChannels()
    } catch {
      // already gone
    }
    await client.disconnect()
  })
  return client
}

function safeJson(value) {
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/**
 * Subscribes and resolves once the client reports SUBSCRIBED. Rejects on the first other status
 * (CHANNEL_ERROR, TIMED_OUT, CLOSED) with an Error whose message names the status and carries
 * the client's own error message. `channel.compatStatuses` records every status reported.
 */
export function subscribed(channel, timeoutMs = DEFAULT_TIMEOUT_MS) {
  channel.compatStatuses = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `no SUBSCRIBED for ${channel.topic} within ${timeoutMs} ms; statuses: ${JSON.stringify(channel.compatStatuses)}`)),
    timeoutMs)
    channel.subscribe((status, err) => {
      channel.compatStatuses.push({ status, message: err?.message })
      if (status === 'SUBSCRIBED') {
        clearTimeout(timer)
        resolve(channel)
      } else {
        clearTimeout(timer)
        const error = new Error(`${channel.topic}: ${status}${err ? ': ' + err.message : ''}`)
        error.status = status
        error.clientError = err
        reject(error)
      }
    })
  })
}

/**
 * Subscribes and resolves with {status, error} at the first status other than SUBSCRIBED;
 * rejects if the channel is SUBSCRIBED instead.
 */
export function subscribeFailure(channel, timeoutMs = DEFAULT_TIMEOUT_MS) {
  channel.compatStatuses = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `no status for ${channel.topic} within ${timeoutMs} ms; statuses: ${JSON.stringify(channel.compatStatuses)}`)),
    timeoutMs)
    let settled = false
    channel.subscribe((status, err) => {
      channel.compatStatuses.push({ status, message: err?.message })
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (status === 'SUBSCRIBED') {
        reject(new Error(`${channel.topic} was SUBSCRIBED, expected a failure`))
      } else {
        resolve({ status, error: err })
      }
    })
  })
}

/**
 * Polls `predicate` every 10 ms until it returns a truthy value (returned) or `timeoutMs` passes
 * (then throws, with `describe()` in the message when given).
 */
export async function waitFor(predicate, timeoutMs = DEFAULT_TIMEOUT_MS, describe = () => '') {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await predicate()
    if (value) return value
    if (Date.now() >= deadline) {
      const what = typeof describe === 'function' ? describe() : describe
      throw new Error(`condition not met within ${timeoutMs} ms${what ? ': ' + what : ''}\n  ${predicate}`)
    }
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Listens to postgres_changes with `filter` on `channel`, collecting the payloads. */
export function collect(channel, filter) {
  const events = []
  channel.on('postgres_changes', filter, (payload) => events.push(payload))
  return events
}

/** Compact form of received payloads for assertion messages. */
export function show(events) {
  return JSON.stringify(events.map((e) => ({ eventType: e.eventType, table: e.table, new: e.new, old: e.old })), null, 1)
}

// ---- PostgreSQL -----------------------------------------------------------------------------

let pool

/** The suite's connection pool (PG* environment); closed by closePool() in a file's after(). */
export function db() {
  if (!pool) {
    // TimeZone UTC: to_jsonb renders timestamptz in the session's zone, the runtime in UTC.
    pool = new pg.Pool({ max: 2, options: '-c TimeZone=UTC' })
  }
  return pool
}

export async function sql(text, params = []) {
  return (await db().query(text, params)).rows
}

/** Runs the statements in one transaction. */
export async function transaction(statements) {
  const client = await db().connect()
  try {
    await client.query('BEGIN')
    const results = []
    for (const [text, params] of statements) {
      results.push((await client.query(text, params ?? [])).rows)
    }
    await client.query('COMMIT')
    return results
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {})
    throw e
  } finally {
    client.release()
  }
}

export async function closePool() {
  if (pool) {
    const p = pool
    pool = undefined
    await p.end()
  }
}

// ---- JWT (pending/ auth tests) --------------------------------------------------------------

function base64url(buffer) {
  return Buffer.from(buffer).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
}

/** An HS256 JWT over `claims`, signed with `secret` (default: SLIPSTREAM_JWT_SECRET). */
export function signJwt(claims, secret = process.env.SLIPSTREAM_JWT_SECRET) {
  if (!secret) throw new Error('SLIPSTREAM_JWT_SECRET is not set')
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = base64url(JSON.stringify(claims))
  const signature = base64url(createHmac('sha256', secret).update(`${header}.${body}`).digest())
  return `${header}.${body}.${signature}`
}

export function nowSeconds() {
  return Math.floor(Date.now() / 1000)
}
