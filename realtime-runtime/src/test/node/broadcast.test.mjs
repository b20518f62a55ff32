// Client broadcast (config.broadcast.self / ack), run by RealtimeJsCompatIT as every *.test.mjs of
// this folder.
//
// Wire facts from realtime-js 2.119.0 that the runtime meets:
// - send() pushes event "broadcast" with payload {type: "broadcast", event, payload}. With vsn
//   2.0.0 the client sends it as a BINARY frame (lib/serializer.ts, encode():
//   _binaryEncodeUserBroadcastPush, kind 3 = userBroadcastPush: header [kind, joinRefLen, refLen,
//   topicLen, eventLen, metaLen, encoding(0 binary / 1 JSON)] then the strings, then the payload);
//   the runtime reads it in ChannelBroadcasts / UserBroadcastCodec.
// - The server may answer with text [null, null, topic, "broadcast", {type, event, payload}] or,
//   for vsn 2.0.0, a binary kind 4 = userBroadcast frame
//   ([4, topicLen, eventLen, metaLen, encoding] + strings + payload), decoded into the same shape.
// - ack: false -> send() resolves 'ok' at once; ack: true -> it resolves on the push's phx_reply
//   ('ok' on status ok, 'error' on status error, 'timed out' without a reply).

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { newClient, subscribed, waitFor, closePool, runTag } from '#harness'

after(closePool)

function listen(channel, event) {
  const received = []
  channel.on('broadcast', { event }, (message) => received.push(message))
  return received
}

async function pair(t, config) {
  const topic = runTag('room')
  const senderClient = newClient(t)
  const receiverClient = newClient(t)
  const sender = senderClient.channel(topic, { config: { broadcast: config } })
  const receiver = receiverClient.channel(topic)
  const sent = listen(sender, 'ev')
  const got = listen(receiver, 'ev')
  await Promise.all([subscribed(sender), subscribed(receiver)])
  return { topic, sender, receiver, sent, got }
}

test('broadcast with self: false reaches the other client, not the sender', async (t) => {
  const { sender, sent, got } = await pair(t, { self: false })
  assert.equal(await sender.send({ type: 'broadcast', event: 'ev', payload: { n: 1, s: 'é€' } }), 'ok')
  assert.equal(await sender.send({ type: 'broadcast', event: 'ev', payload: { n: 2 } }), 'ok')
  await waitFor(() => got.length >= 2, undefined, () => JSON.stringify(got))
  assert.deepEqual(got.map((m) => ({ type: m.type, event: m.event, payload: m.payload })), [
    { type: 'broadcast', event: 'ev', payload: { n: 1, s: 'é€' } },
    { type: 'broadcast', event: 'ev', payload: { n: 2 } },
  ])
  // The sender's own copy would have come before the receiver's second message.
  assert.deepEqual(sent, [], 'self: false: the sender gets nothing')
})

test('broadcast with self: true reaches the sender too', async (t) => {
  const { sender, sent, got } = await pair(t, { self: true })
  assert.equal(await sender.send({ type: 'broadcast', event: 'ev', payload: { n: 1 } }), 'ok')
  await waitFor(() => sent.length >= 1 && got.length >= 1, undefined, () => JSON.stringify({ sent, got }))
  assert.deepEqual(sent[0].payload, { n: 1 })
  assert.deepEqual(got[0].payload, { n: 1 })
})

test('broadcast with ack: true resolves send() with the server acknowledgement', async (t) => {
  const { sender, got } = await pair(t, { ack: true })
  const started = Date.now()
  const status = await sender.send({ type: 'broadcast', event: 'ev', payload: { acked: true } })
  assert.equal(status, 'ok', 'the server replied ok to the broadcast push')
  assert.ok(Date.now() - started < 5000)
  await waitFor(() => got.length >= 1)
  assert.deepEqual(got[0].payload, { acked: true })
})

test('broadcast events only reach listeners of that event name (and "*")', async (t) => {
  const topic = runTag('room')
  const a = newClient(t).channel(topic, { config: { broadcast: { ack: true } } })
  const b = newClient(t).channel(topic)
  const onlyOther = listen(b, 'other')
  const any = listen(b, '*')
  const ev = listen(b, 'ev')
  await Promise.all([subscribed(a), subscribed(b)])
  assert.equal(await a.send({ type: 'broadcast', event: 'ev', payload: { i: 1 } }), 'ok')
  assert.equal(await a.send({ type: 'broadcast', event: 'other', payload: { i: 2 } }), 'ok')
  await waitFor(() => onlyOther.length >= 1 && any.length >= 2)
  assert.deepEqual(ev.map((m) => m.payload.i), [1])
  assert.deepEqual(onlyOther.map((m) => m.payload.i), [2])
  assert.deepEqual(any.map((m) => m.event), ['ev', 'other'])
})

test('a broadcast does not cross to another topic', async (t) => {
  const { sender, got } = await pair(t, { ack: true })
  const elsewhere = newClient(t).channel(runTag('room'))
  const strayed = listen(elsewhere, 'ev')
  await subscribed(elsewhere)
  assert.equal(await sender.send({ type: 'broadcast', event: 'ev', payload: { x: 1 } }), 'ok')
  await waitFor(() => got.length >= 1)
  assert.deepEqual(strayed, [])
})
