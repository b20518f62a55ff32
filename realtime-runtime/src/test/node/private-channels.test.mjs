// Private channels gated by claim, as realtime-js 2.119.0 meets them. RealtimeJsCompatIT starts the runtime with
// SLIPSTREAM_CHANNEL_RULES=compat-org:=app_metadata.org_id (a RealtimeTenant's spec.auth.channelRules), so a
// private channel "compat-org:<org>" (or "compat-org:<org>:<anything>") is joined only with a token whose
// app_metadata.org_id is <org>. A refusal is a phx_reply error, which subscribe reports as CHANNEL_ERROR with the
// reason; a refresh (setAuth) to a token the rule refuses ends the channel with a "system" error and phx_close.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { newClient, subscribed, subscribeFailure, waitFor, closePool, runTag, signJwt, nowSeconds } from '#harness'

after(closePool)

const RULE = 'compat-org:=app_metadata.org_id'

const memberOf = (org, sub = 'user-1') => signJwt({
  role: 'authenticated', sub, exp: nowSeconds() + 600, app_metadata: { org_id: org },
})

async function clientWith(t, token) {
  const client = newClient(t)
  await client.setAuth(token)
  return client
}

function privateChannel(client, topic, key) {
  const channel = client.channel(topic, { config: { private: true, broadcast: { self: false }, presence: { key } } })
  const log = { broadcasts: [], system: [] }
  channel.on('broadcast', { event: 'ev' }, (m) => log.broadcasts.push(m.payload))
  channel.on('system', {}, (m) => log.system.push(m))
  channel.on('presence', { event: 'sync' }, () => {})
  channel.log = log
  return channel
}

test('a member of the org joins its private channel and shares broadcasts and presence; another org\'s user is refused naming the rule', async (t) => {
  const org = runTag('org')
  const topic = `compat-org:${org}:chat`
  const alice = privateChannel(await clientWith(t, memberOf(org, 'alice')), topic, 'alice')
  const bob = privateChannel(await clientWith(t, memberOf(org, 'bob')), topic, 'bob')
  await Promise.all([subscribed(alice), subscribed(bob)])

  const mallory = privateChannel(await clientWith(t, memberOf(`${org}-other`, 'mallory')), topic, 'mallory')
  const { status, error } = await subscribeFailure(mallory)
  console.log(`[private] refused: ${status}: ${error?.message}`)
  assert.equal(status, 'CHANNEL_ERROR')
  assert.equal(error?.message, `Unauthorized: You do not have permissions to read from this Channel topic: ${topic} `
    + `(channel rule ${RULE}: the token's app_metadata.org_id claim is not ${org})`)

  assert.equal(await alice.track({ name: 'Alice' }), 'ok')
  assert.equal(await alice.send({ type: 'broadcast', event: 'ev', payload: { n: 1 } }), 'ok')
  await waitFor(() => bob.log.broadcasts.length === 1 && 'alice' in bob.presenceState(), undefined,
    () => JSON.stringify({ broadcasts: bob.log.broadcasts, presence: bob.presenceState() }))
  assert.deepEqual(bob.log.broadcasts, [{ n: 1 }])
  assert.deepEqual(mallory.log.broadcasts, [], 'the refused client hears nothing')
  assert.deepEqual(mallory.presenceState(), {}, 'the refused client sees no presence')
})

test('a token without the claim, and the anon role, are refused', async (t) => {
  const topic = `compat-org:${runTag('org')}`
  const noClaim = privateChannel(await clientWith(t, signJwt({ role: 'authenticated', sub: 'u', exp: nowSeconds() + 600 })),
    topic, 'u')
  const refused = await subscribeFailure(noClaim)
  assert.equal(refused.status, 'CHANNEL_ERROR')
  assert.match(refused.error?.message, /^Unauthorized: .*\(channel rule compat-org:=app_metadata\.org_id: /)
  // The harness connects with an anon apikey: without setAuth, the join is the anon role's.
  const anon = privateChannel(newClient(t), topic, 'anon')
  const anonRefused = await subscribeFailure(anon)
  assert.equal(anonRefused.status, 'CHANNEL_ERROR')
  assert.equal(anonRefused.error?.message, `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`)
})

test('setAuth to another org\'s token ends the private channel with a system message', async (t) => {
  const org = runTag('org')
  const client = await clientWith(t, memberOf(org))
  const channel = privateChannel(client, `compat-org:${org}`, 'moving')
  await subscribed(channel)

  await client.setAuth(memberOf(`${org}-elsewhere`))
  await waitFor(() => channel.compatStatuses.some((s) => s.status === 'CLOSED'), undefined,
    () => JSON.stringify({ statuses: channel.compatStatuses, system: channel.log.system }))
  console.log(`[private] refused refresh: ${JSON.stringify(channel.log.system)}`)
  assert.ok(channel.log.system.some((m) => m.status === 'error'
    && m.message.includes(`(channel rule ${RULE}: the token's app_metadata.org_id claim is not ${org})`)),
  JSON.stringify(channel.log.system))
})

test('a public channel of a ruled name is not gated: public topics are public', async (t) => {
  const topic = `compat-org:${runTag('org')}`
  const channel = newClient(t).channel(topic)
  await subscribed(channel)
})
