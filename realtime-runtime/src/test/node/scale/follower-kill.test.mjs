// A follower killed (kill -9) under a steady writer, with the unmodified realtime-js: its client,
// connected through a stand-in for the tenant's Service, reconnects by itself, lands on another
// pod and rejoins after the last position it received (the app's part, as resume.test.mjs and
// docs/switching-from-supabase.md show it); a client on the leader is untouched. Both must get
// every committed row exactly once, in commit order. Driven by ScaleOutIT, which starts three
// runtime processes of one tenant (a leader and two followers) and passes:
//   SLIPSTREAM_POD_URLS   the pods' realtime URLs: the leader, the follower to kill, the other follower
//   SLIPSTREAM_POD_PIDS   their process ids, in the same order
//   SLIPSTREAM_ROWS_PER_SECOND  the writer's rate
// (and SLIPSTREAM_REALTIME_URL, the leader's, which the harness requires, and PG* for the writer).

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { newClient, subscribed, waitFor, sql, closePool } from '#harness'

after(closePool)

const URLS = process.env.SLIPSTREAM_POD_URLS.split(',')
const PIDS = process.env.SLIPSTREAM_POD_PIDS.split(',').map(Number)
const RATE = Number(process.env.SLIPSTREAM_ROWS_PER_SECOND || 500)
const WAIT_MS = 60000

/**
 * What the tenant's Service does for a new connection: sends it to a pod that answers, here the
 * first of `backends` ({host, port}) that accepts it.
 */
function service(backends) {
  const server = net.createServer((client) => {
    client.pause()
    const tryBackend = (i) => {
      if (i >= backends.length) {
        client.destroy()
        return
      }
      const upstream = net.connect(backends[i])
      upstream.once('error', () => tryBackend(i + 1))
      upstream.once('connect', () => {
        upstream.removeAllListeners('error')
        upstream.on('error', () => client.destroy())
        client.on('error', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
        client.on('close', () => upstream.destroy())
        client.pipe(upstream)
        upstream.pipe(client)
        client.resume()
      })
    }
    tryBackend(0)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function backend(url) {
  const { hostname, port } = new URL(url.replace(/^ws/, 'http'))
  return { host: hostname, port: Number(port) }
}

/** The app's part: every push's position goes into the join payload realtime-js rejoins with. */
function resumeAfterEachPush(client, channel) {
  client.socketAdapter.onMessage((message) => {
    if (message.topic === channel.topic && message.event === 'postgres_changes' && message.payload?.position) {
      channel.updateJoinPayload({
        config: { ...channel.joinPush.payload().config, resume_after: message.payload.position },
      })
    }
  })
}

function ledger(t, url, name) {
  const client = newClient(t, { url })
  const channel = client.channel(`ledger-${name}`)
  const events = []
  events.arrivals = []
  channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'ledger' }, (payload) => {
    events.push(payload)
    events.arrivals.push(performance.now())
  })
  resumeAfterEachPush(client, channel)
  return { channel, events }
}

function ids(events) {
  return events.map((e) => Number(e.new.id))
}

function summary(events, last) {
  const got = ids(events)
  const seen = new Map()
  got.forEach((id) => seen.set(id, (seen.get(id) ?? 0) + 1))
  const repeated = [...seen].filter(([, n]) => n > 1).map(([id]) => id)
  const missing = []
  for (let id = 1; id <= last && missing.length < 20; id++) if (!seen.has(id)) missing.push(id)
  return `received ${got.length} of ${last}; repeated ${JSON.stringify(repeated.slice(0, 20))}; missing ${JSON.stringify(missing)}`
}

test('a killed follower\'s realtime-js client resumes on another pod by position: every row once, in order', async (t) => {
  const [leaderUrl, victimUrl, survivorUrl] = URLS
  const svc = await service([backend(victimUrl), backend(survivorUrl)])
  t.after(() => svc.close())
  const svcUrl = `ws://127.0.0.1:${svc.address().port}/realtime/v1`

  const moving = ledger(t, svcUrl, 'moving')
  const steady = ledger(t, leaderUrl, 'steady')
  await subscribed(moving.channel)
  await subscribed(steady.channel)

  let committed = 0
  let writing = true
  const writer = (async () => {
    const period = 1000 / RATE
    let next = performance.now()
    while (writing) {
      await sql("INSERT INTO ledger (id, body) VALUES ($1, 'row')", [committed + 1])
      committed++
      // One row a period, catching up after a stall by at most ten periods (no bursts).
      next = Math.max(next + period, performance.now() - 10 * period)
      const wait = next - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait)) // the rate, not a synchronisation
    }
  })()

  await waitFor(() => moving.events.length >= 300 && steady.events.length >= 300, WAIT_MS,
    () => summary(moving.events, committed))
  const atKill = committed
  const receivedBeforeKill = moving.events.length
  const killedAt = performance.now()
  process.kill(PIDS[1], 'SIGKILL')

  await waitFor(() => ids(moving.events).some((id) => id > atKill + 50), WAIT_MS,
    () => summary(moving.events, committed))
  // Rows already on their way from the dead pod may still arrive after the signal: the resumed
  // connection's first row is the one after the longest silence (the reconnect) since the kill.
  const arrivals = moving.events.arrivals
  let first = receivedBeforeKill
  for (let i = receivedBeforeKill + 1; i < arrivals.length; i++) {
    if (arrivals[i] - arrivals[i - 1] > arrivals[first] - (first > 0 ? arrivals[first - 1] : killedAt)) first = i
  }
  const resumedMs = Math.round(arrivals[first] - killedAt)
  const target = committed + 500
  await waitFor(() => committed >= target, WAIT_MS, () => `committed ${committed}`)
  writing = false
  await writer
  const last = committed + 1
  await sql("INSERT INTO ledger (id, body) VALUES ($1, 'marker')", [last])
  const elapsedS = (performance.now() - killedAt) / 1000
  for (const [name, { events }] of [['moved', moving], ['leader', steady]]) {
    await waitFor(() => ids(events).includes(last), WAIT_MS, () => `${name}: ${summary(events, last)}`)
    assert.deepEqual(ids(events), Array.from({ length: last }, (_, i) => i + 1), `${name}: ${summary(events, last)}`)
  }
  console.log(`follower kill: killed at row ${atKill} (writer at ${RATE} rows/s, ${Math.round((last - 1 - atKill) / elapsedS)} after the kill); the moved realtime-js client's`
    + ` first missed row arrived ${resumedMs} ms after the kill, through another pod; ${last} rows, each once`
    + ` and in order, on it and on the leader's client (${elapsedS.toFixed(1)} s after the kill)`)
})
