// Presence across two clients, run by RealtimeJsCompatIT as every *.test.mjs of this folder.
//
// Wire facts from realtime-js 2.119.0: track() pushes event "presence" with payload
// {type: "presence", event: "track", payload: {...}} and waits for its phx_reply; the server
// sends "presence_state" ({key: {metas: [{phx_ref, ...payload}]}}) after the join, then
// "presence_diff" ({joins: {...}, leaves: {...}}). The client exposes presenceState() as
// {key: [{presence_ref, ...payload}]} and calls 'sync' / 'join' / 'leave' listeners. A channel
// receives presence only with config.presence.enabled or a presence listener (the join payload
// then carries presence.enabled: true).

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { newClient, subscribed, waitFor, closePool, runTag } from '#harness'

after(closePool)

function presenceChannel(client, topic, key) {
  const channel = client.channel(topic, { config: { presence: { key } } })
  const log = { syncs: 0, joins: [], leaves: [] }
  channel
    .on('presence', { event: 'sync' }, () => { log.syncs++ })
    .on('presence', { event: 'join' }, ({ key: k, newPresences }) => log.joins.push({ key: k, newPresences }))
    .on('presence', { event: 'leave' }, ({ key: k, leftPresences }) => log.leaves.push({ key: k, leftPresences }))
  channel.presenceLog = log
  return channel
}

function summary(channel) {
  const state = channel.presenceState()
  return Object.fromEntries(Object.entries(state).map(([k, metas]) =>
    [k, metas.map(({ presence_ref, ...rest }) => rest)]).sort(([a], [b]) => a.localeCompare(b)))
}

test('two clients see each other join with their keys and payloads, and sync', async (t) => {
  const topic = runTag('lobby')
  const alice = presenceChannel(newClient(t), topic, 'alice')
  const bob = presenceChannel(newClient(t), topic, 'bob')
  await subscribed(alice)
  assert.equal(await alice.track({ name: 'Alice', status: 'online' }), 'ok')
  await waitFor(() => summary(alice).alice?.length === 1, undefined, () => JSON.stringify(alice.presenceState()))

  await subscribed(bob)
  await waitFor(() => summary(bob).alice?.length === 1, undefined, () => JSON.stringify(bob.presenceState()))
  assert.equal(await bob.track({ name: 'Bob' }), 'ok')

  const expected = { alice: [{ name: 'Alice', status: 'online' }], bob: [{ name: 'Bob' }] }
  await waitFor(() => JSON.stringify(summary(alice)) === JSON.stringify(expected)
    && JSON.stringify(summary(bob)) === JSON.stringify(expected), undefined,
  () => JSON.stringify({ alice: summary(alice), bob: summary(bob) }))
  assert.ok(alice.presenceLog.syncs >= 2 && bob.presenceLog.syncs >= 1)
  assert.ok(alice.presenceLog.joins.some((j) => j.key === 'bob' && j.newPresences[0].name === 'Bob'))
  assert.ok(bob.presenceLog.joins.some((j) => j.key === 'alice'), 'the initial state counts as joins')
  for (const metas of Object.values(alice.presenceState())) {
    assert.equal(typeof metas[0].presence_ref, 'string')
  }
})

test('untrack and disconnect make the other client see a leave', async (t) => {
  const topic = runTag('lobby')
  const aliceClient = newClient(t)
  const alice = presenceChannel(aliceClient, topic, 'alice')
  const bob = presenceChannel(newClient(t), topic, 'bob')
  await Promise.all([subscribed(alice), subscribed(bob)])
  await alice.track({ n: 1 })
  await bob.track({ n: 2 })
  await waitFor(() => Object.keys(summary(bob)).length === 2 && Object.keys(summary(alice)).length === 2)

  assert.equal(await bob.untrack(), 'ok')
  await waitFor(() => alice.presenceLog.leaves.some((l) => l.key === 'bob'), undefined,
    () => JSON.stringify(alice.presenceLog))
  assert.deepEqual(Object.keys(summary(alice)), ['alice'])

  await bob.track({ n: 3 })
  await waitFor(() => summary(alice).bob?.[0]?.n === 3)
  await aliceClient.disconnect()
  await waitFor(() => bob.presenceLog.leaves.some((l) => l.key === 'alice'), undefined,
    () => JSON.stringify(bob.presenceLog))
  assert.deepEqual(summary(bob), { bob: [{ n: 3 }] })
})

test('track again with the same key replaces the payload', async (t) => {
  const topic = runTag('lobby')
  const alice = presenceChannel(newClient(t), topic, 'alice')
  const bob = presenceChannel(newClient(t), topic, 'bob')
  await Promise.all([subscribed(alice), subscribed(bob)])
  await alice.track({ v: 1 })
  await waitFor(() => summary(bob).alice?.[0]?.v === 1)
  await alice.track({ v: 2 })
  await waitFor(() => summary(bob).alice?.[0]?.v === 2, undefined, () => JSON.stringify(bob.presenceState()))
  assert.equal(summary(bob).alice.length, 1)
})

test('a channel without presence enabled receives no presence state', async (t) => {
  const topic = runTag('lobby')
  const alice = presenceChannel(newClient(t), topic, 'alice')
  const quiet = newClient(t).channel(topic) // no presence listener, presence.enabled false
  const sentinel = []
  quiet.on('broadcast', { event: 'sentinel' }, (m) => sentinel.push(m))
  const sender = newClient(t).channel(topic, { config: { broadcast: { ack: true } } })
  await Promise.all([subscribed(alice), subscribed(quiet), subscribed(sender)])
  await alice.track({ here: true })
  await waitFor(() => summary(alice).alice)
  await sender.send({ type: 'broadcast', event: 'sentinel', payload: {} })
  await waitFor(() => sentinel.length === 1)
  assert.deepEqual(quiet.presenceState(), {})
})
