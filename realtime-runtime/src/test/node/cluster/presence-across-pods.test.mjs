// Presence and broadcast across the pods of one tenant, with the unmodified realtime-js client:
// one client per pod, all in one room. Driven by CrossPodIT, which starts three runtime processes
// (a leader and two followers) and passes:
//   SLIPSTREAM_POD_URLS            the pods' realtime URLs, the leader first
//   SLIPSTREAM_POD_PIDS            their process ids, in the same order (this test kills two of them)
//   SLIPSTREAM_PRESENCE_GRACE_MS   how long a pod's presences outlive its link (twice the Lease duration)
//   SLIPSTREAM_LEASE_MS            the Lease duration
// (and SLIPSTREAM_REALTIME_URL, which the harness requires: the leader's URL).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newClient, subscribed, waitFor, runTag } from '#harness'

const URLS = process.env.SLIPSTREAM_POD_URLS.split(',')
const PIDS = process.env.SLIPSTREAM_POD_PIDS.split(',').map(Number)
const GRACE_MS = Number(process.env.SLIPSTREAM_PRESENCE_GRACE_MS)
const LEASE_MS = Number(process.env.SLIPSTREAM_LEASE_MS)
// Waits for what crosses pods: a few relay hops, on a loaded machine.
const CROSSING_MS = 15000

function member(t, url, topic, key) {
  const channel = newClient(t, { url }).channel(topic, { config: { presence: { key }, broadcast: { ack: true } } })
  channel.key = key
  channel.shouts = []
  channel.leaves = []
  channel
    .on('broadcast', { event: 'shout' }, ({ payload }) => channel.shouts.push(payload.from))
    .on('presence', { event: 'leave' }, ({ key: left }) => channel.leaves.push(left))
  return channel
}

function keys(channel) {
  return Object.keys(channel.presenceState()).sort().join(',')
}

function show(channels) {
  return () => JSON.stringify(Object.fromEntries(channels.map((c) => [c.key, c.presenceState()])))
}

test('presence is the union over the pods, broadcasts cross them, and a dead pod\'s presences leave', async (t) => {
  const topic = runTag('room')
  const [leader, one, two] = ['leader', 'one', 'two'].map((key, i) => member(t, URLS[i], topic, key))
  const all = [leader, one, two]
  await Promise.all(all.map((c) => subscribed(c)))
  for (const channel of all) {
    assert.equal(await channel.track({ on: channel.key }), 'ok')
  }
  await waitFor(() => all.every((c) => keys(c) === 'leader,one,two'), CROSSING_MS, show(all))
  for (const channel of all) {
    const metas = channel.presenceState()
    assert.deepEqual(Object.fromEntries(Object.entries(metas).map(([k, m]) => [k, m.map((x) => x.on)])),
      { leader: ['leader'], one: ['one'], two: ['two'] }, `${channel.key} sees each pod's payload once`)
  }

  // A client joining later, on a follower, gets the whole state at once.
  const late = member(t, URLS[2], topic, 'late')
  await subscribed(late)
  await waitFor(() => keys(late) === 'leader,one,two', CROSSING_MS, show([late]))
  assert.equal(await late.track({ on: 'late' }), 'ok')
  await waitFor(() => [leader, one].every((c) => keys(c) === 'late,leader,one,two'), CROSSING_MS, show(all))

  // Broadcasts cross pods both ways; ack means the leader has it.
  assert.equal(await one.send({ type: 'broadcast', event: 'shout', payload: { from: 'one' } }), 'ok')
  assert.equal(await leader.send({ type: 'broadcast', event: 'shout', payload: { from: 'leader' } }), 'ok')
  await waitFor(() => leader.shouts.includes('one') && two.shouts.includes('one') && two.shouts.includes('leader')
    && one.shouts.includes('leader'), CROSSING_MS, () => JSON.stringify(all.map((c) => c.shouts)))

  // Untrack and track again on a follower: the other pods see the leave, then the join.
  assert.equal(await one.untrack(), 'ok')
  await waitFor(() => [leader, two].every((c) => !keys(c).split(',').includes('one')), CROSSING_MS, show(all))
  assert.equal(await one.track({ on: 'one', again: true }), 'ok')
  await waitFor(() => leader.presenceState().one?.[0]?.again === true && two.presenceState().one?.[0]?.again === true,
    CROSSING_MS, show(all))

  // A follower dies: its two presences leave on the others within the grace period.
  let killed = Date.now()
  process.kill(PIDS[2], 'SIGKILL')
  await waitFor(() => [leader, one].every((c) => keys(c) === 'leader,one'), GRACE_MS + CROSSING_MS, show([leader, one]))
  const followerGone = Date.now() - killed
  assert.ok(leader.leaves.includes('two') && leader.leaves.includes('late'))

  // The leader dies: the surviving follower takes over, and the leader's presence leaves there too.
  killed = Date.now()
  process.kill(PIDS[0], 'SIGKILL')
  await waitFor(() => keys(one) === 'one', LEASE_MS + GRACE_MS + CROSSING_MS, show([one]))
  const leaderGone = Date.now() - killed
  console.log(`presence across pods: a killed follower's presences left ${followerGone} ms after the kill, `
    + `the killed leader's ${leaderGone} ms after (grace ${GRACE_MS} ms, lease ${LEASE_MS} ms)`)
  assert.ok(followerGone < GRACE_MS + CROSSING_MS)
})
