// Slow is not stopped (issue #15): on one topic, a realtime-js reader and a raw WebSocket client
// that joins and then stops reading; 20 transactions of 1,000 rows of 2 KB each (about 45 MB of
// pushes per client). The runtime must close the stalled client with 4000 and never the reader,
// which receives all 20,000 rows, in every round. Run by SlowIsNotStoppedIT (not by the compat
// suite: it writes its own table, slow_rows, which only that IT creates).
//
// Extra environment: SLIPSTREAM_ROUNDS (default 10), SLIPSTREAM_METRICS_URL (the runtime's /metrics).

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { randomBytes } from 'node:crypto'
import { newClient, subscribed, waitFor, sql, transaction, closePool, runTag, APIKEY, VSN, REALTIME_URL } from '#harness'

const ROUNDS = Number(process.env.SLIPSTREAM_ROUNDS || 10)
const METRICS_URL = process.env.SLIPSTREAM_METRICS_URL
const TRANSACTIONS = 20
const ROWS = 1000
const BODY = 2000
const ROUND_TIMEOUT_MS = 240_000

after(closePool)

async function slowClientsClosed() {
  const text = await (await fetch(METRICS_URL)).text()
  const line = text.split('\n').find((l) => l.startsWith('slipstream_slow_clients_closed_total '))
  return line ? Number(line.split(' ')[1]) : 0
}

/**
 * A raw WebSocket client: handshake, one phx_join for `topic` (as realtime-js would send it), then
 * nothing is read (socket.pause(): the kernel buffers fill and TCP holds the server back) until
 * readAgain(). Everything received is parsed as frames; closeCode() is the code of the server's
 * close frame, or 1006 if the connection ended without one.
 */
function stalledClient(topic, table) {
  const url = new URL(REALTIME_URL + '/websocket')
  url.searchParams.set('apikey', APIKEY)
  url.searchParams.set('vsn', VSN)
  const socket = net.connect(Number(url.port), url.hostname)
  let buffered = Buffer.alloc(0)
  let upgraded = false
  let closeCode
  let joined = false
  const ended = new Promise((resolve) => socket.on('close', resolve))
  socket.on('error', () => {})
  socket.on('connect', () => {
    socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n`
      + `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n`
      + 'Sec-WebSocket-Version: 13\r\n\r\n')
  })
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk])
    if (!upgraded) {
      const end = buffered.indexOf('\r\n\r\n')
      if (end < 0) return
      assert.match(buffered.subarray(0, end).toString(), /^HTTP\/1\.1 101/)
      upgraded = true
      buffered = buffered.subarray(end + 4)
      const config = { postgres_changes: [{ event: 'INSERT', schema: 'public', table }] }
      const join = VSN === '1.0.0'
        ? JSON.stringify({ topic, event: 'phx_join', payload: { config }, ref: '1', join_ref: '1' })
        : JSON.stringify(['1', '1', topic, 'phx_join', { config }])
      socket.write(maskedText(join))
    }
    for (;;) {
      const frame = nextFrame(buffered)
      if (!frame) break
      buffered = buffered.subarray(frame.length)
      if (frame.opcode === 0x1 && !joined && frame.payload.toString().includes('phx_reply')) {
        joined = true
      } else if (frame.opcode === 0x8) {
        closeCode = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005
      }
    }
  })
  return {
    joined: () => joined,
    stopReading: () => socket.pause(),
    readAgain: () => socket.resume(),
    async closeCode() {
      await ended
      return closeCode ?? 1006
    },
    destroy: () => socket.destroy(),
  }
}

/** A client's text frame (masked, as RFC 6455 requires), payload under 64 KiB. */
function maskedText(text) {
  const payload = Buffer.from(text)
  assert.ok(payload.length < 65536)
  const header = payload.length < 126 ? 2 : 4
  const mask = randomBytes(4)
  const frame = Buffer.alloc(header + 4 + payload.length)
  frame[0] = 0x81
  if (header === 2) {
    frame[1] = 0x80 | payload.length
  } else {
    frame[1] = 0x80 | 126
    frame.writeUInt16BE(payload.length, 2)
  }
  mask.copy(frame, header)
  for (let i = 0; i < payload.length; i++) frame[header + 4 + i] = payload[i] ^ mask[i % 4]
  return frame
}

function nextFrame(buf) {
  if (buf.length < 2) return null
  let length = buf[1] & 0x7f
  let offset = 2
  if (length === 126) {
    if (buf.length < 4) return null
    length = buf.readUInt16BE(2)
    offset = 4
  } else if (length === 127) {
    if (buf.length < 10) return null
    length = Number(buf.readBigUInt64BE(2))
    offset = 10
  }
  if (buf.length < offset + length) return null
  return { opcode: buf[0] & 0x0f, payload: buf.subarray(offset, offset + length), length: offset + length }
}

for (let round = 1; round <= ROUNDS; round++) {
  test(`round ${round}/${ROUNDS}: the reader gets all ${TRANSACTIONS * ROWS} rows, the stalled client is closed with 4000`,
    { timeout: ROUND_TIMEOUT_MS }, async (t) => {
      const run = runTag('slow')
      const topic = `realtime:slow-${run}`
      const closedBefore = await slowClientsClosed()

      // A loaded machine: a join may take longer than realtime-js's default 10 s push timeout.
      // Its own logger: the harness's keeps every message with its payload, work the reader would
      // do 20,000 times; this keeps the rest (joins, heartbeats, closes) for the failure message.
      const logs = []
      const logger = (kind, msg) => { if (!msg.includes('postgres_changes')) logs.push(`${kind}: ${msg}`) }
      const client = newClient(t, { timeout: 60_000, logger })
      let received = 0
      const channel = client.channel(`slow-${run}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'slow_rows', filter: `run=eq.${run}` },
          () => { received++ })
      await subscribed(channel, 60_000)
      const clientLog = () => logs.slice(-15).join('\n  ')

      // The stalled client subscribes to all of the table's inserts: it is sent the same 20,000 rows.
      const stalled = stalledClient(topic, 'slow_rows')
      t.after(() => stalled.destroy())
      await waitFor(() => stalled.joined(), 15_000, () => 'the raw client joined')
      stalled.stopReading()

      for (let i = 0; i < TRANSACTIONS; i++) {
        await transaction([[`INSERT INTO slow_rows (run, body) SELECT $1, repeat('x', ${BODY}) FROM generate_series(1, ${ROWS})`, [run]]])
      }

      await waitFor(() => received >= TRANSACTIONS * ROWS, ROUND_TIMEOUT_MS - 30_000,
        () => `the reader received ${received} of ${TRANSACTIONS * ROWS} rows; its last log lines:\n  ${clientLog()}`)
      await waitFor(async () => (await slowClientsClosed()) > closedBefore, 60_000,
        () => 'the stalled client was closed as too slow')
      stalled.readAgain()
      const code = await stalled.closeCode()

      assert.equal(received, TRANSACTIONS * ROWS, 'rows the reader received')
      assert.equal(code, 4000, 'close code the stalled client read')
      assert.equal(await slowClientsClosed(), closedBefore + 1, 'slow clients closed this round (only the stalled one)')
      assert.equal(client.isConnected(), true, 'the reader is still connected')
      console.log(`slow reader round ${round}: reader ${received} rows, stalled client closed with ${code}`)
      await sql('DELETE FROM slow_rows WHERE run = $1', [run])
    })
}
