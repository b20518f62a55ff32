// Broadcast from the database through a logical decoding message (run by RealtimeJsCompatIT, as
// every *.test.mjs of this folder). The format is the runtime's (DatabaseBroadcasts): the prefix
// `slipstream.broadcast` and the content
// {"topic": "<channel name without realtime:>", "event": "...", "payload": {...}}
// ("private": true for the private channel of that name), written with
//   SELECT pg_logical_emit_message(<transactional>, 'slipstream.broadcast', '<json>')
// The runtime's publications need no change: pgoutput sends messages when the slot is read with
// messages 'true'.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { newClient, subscribed, waitFor, sql, transaction, db, closePool, runTag } from '#harness'

after(closePool)

const PREFIX = 'slipstream.broadcast'

function message(topic, event, payload) {
  return JSON.stringify({ topic, event, payload })
}

async function emit(transactional, topic, event, payload) {
  await sql('SELECT pg_logical_emit_message($1, $2, $3)', [transactional, PREFIX, message(topic, event, payload)])
}

async function listener(t, topic, event = 'ev') {
  const channel = newClient(t).channel(topic)
  const received = []
  channel.on('broadcast', { event }, (m) => received.push(m))
  await subscribed(channel)
  return received
}

test('a non-transactional database message reaches the channel as a broadcast', async (t) => {
  const topic = runTag('room')
  const received = await listener(t, topic)
  await emit(false, topic, 'ev', { from: 'db', n: 1 })
  await waitFor(() => received.length >= 1, undefined, () => JSON.stringify(received))
  assert.deepEqual(received.map((m) => ({ type: m.type, event: m.event, payload: m.payload })),
    [{ type: 'broadcast', event: 'ev', payload: { from: 'db', n: 1 } }])
})

test('a transactional message is delivered at commit, and never when rolled back', async (t) => {
  const topic = runTag('room')
  const received = await listener(t, topic)
  await transaction([['SELECT pg_logical_emit_message(true, $1, $2)', [PREFIX, message(topic, 'ev', { n: 1 })]]])
  const client = await db().connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_logical_emit_message(true, $1, $2)', [PREFIX, message(topic, 'ev', { n: 2 })])
    await client.query('ROLLBACK')
  } finally {
    client.release()
  }
  await emit(false, topic, 'ev', { n: 3, sentinel: true })
  await waitFor(() => received.some((m) => m.payload.sentinel), undefined, () => JSON.stringify(received))
  assert.deepEqual(received.map((m) => m.payload.n), [1, 3])
})

test('a database message reaches only its topic and its event listeners', async (t) => {
  const topic = runTag('room')
  const mine = await listener(t, topic)
  const other = await listener(t, runTag('room'))
  const otherEvent = await listener(t, topic, 'other-event')
  await emit(false, topic, 'ev', { n: 1 })
  await waitFor(() => mine.length >= 1)
  await emit(false, topic, 'other-event', { n: 2 })
  await waitFor(() => otherEvent.length >= 1)
  assert.deepEqual(other, [])
  assert.deepEqual(mine.map((m) => m.payload.n), [1])
  assert.deepEqual(otherEvent.map((m) => m.payload.n), [2])
})

test('messages with another prefix are not broadcast', async (t) => {
  const topic = runTag('room')
  const received = await listener(t, topic)
  await sql('SELECT pg_logical_emit_message(false, $1, $2)', ['someone.else', message(topic, 'ev', { n: 1 })])
  await emit(false, topic, 'ev', { n: 2 })
  await waitFor(() => received.length >= 1)
  assert.deepEqual(received.map((m) => m.payload.n), [2])
})
