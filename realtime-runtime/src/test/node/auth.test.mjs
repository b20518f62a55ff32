// JWT authentication as realtime-js exercises it. RealtimeJsCompatIT starts the runtime with
// SLIPSTREAM_JWT_SECRET and passes the same secret here, and the harness then connects every
// client with an anon JWT signed with it.
//
// Where realtime-js 2.119.0 can show a refusal's text (and where it cannot):
// - join: with an access token set (setAuth(token) before subscribe, or the accessToken option),
//   phx_join carries payload.access_token. A {status: "error", response: {reason}} reply becomes
//   subscribe's CHANNEL_ERROR with new Error(Object.values(response).join(', '))
//   (RealtimeChannel.subscribe, receive('error')). Supabase's reasons are "<code>: <message>",
//   e.g. "InvalidJWTToken: Token has expired 12 seconds ago", "JwtSignatureError: Failed to
//   validate JWT signature" (see dev.slipstream.runtime.auth.Rejection).
// - refresh: setAuth(token) on a joined channel pushes "access_token" {access_token}. Supabase
//   refuses a bad one with a "system" message (status error, the plain message) and phx_close.
// - socket: a refused upgrade (HTTP 401 {"error": ...}) is invisible to the client: the browser /
//   undici WebSocket only reports a failed connection, so the channel gets CHANNEL_ERROR with
//   normalizeChannelError's generic text ("channel error: transport failure" or
//   "socket closed: 1006"), and Phoenix keeps reconnecting.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import {
  newClient, subscribed, subscribeFailure, collect, waitFor, sql, closePool, runTag, show, signJwt, nowSeconds,
  JWT_SECRET,
} from '#harness'

after(closePool)

const userToken = (extra = {}) => signJwt({ role: 'authenticated', sub: 'user-1', exp: nowSeconds() + 600, ...extra })

async function refusedJoin(t, token) {
  const client = newClient(t)
  await client.setAuth(token)
  const channel = client.channel(runTag('auth'))
  collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_keyed' })
  const { status, error } = await subscribeFailure(channel)
  console.log(`[auth] join refused: ${status}: ${error?.message}`)
  await client.removeChannel(channel)
  return { status, message: error?.message }
}

test('the suite has a JWT secret to sign with', () => {
  assert.ok(JWT_SECRET, 'SLIPSTREAM_JWT_SECRET is passed by RealtimeJsCompatIT')
})

test('an expired access token is refused at join with the reason the client reports', async (t) => {
  const { status, message } = await refusedJoin(t, userToken({ exp: nowSeconds() - 30 }))
  assert.equal(status, 'CHANNEL_ERROR')
  assert.match(message, /^InvalidJWTToken: Token has expired \d+ seconds ago$/)
})

test('a token signed with another secret (another tenant\'s) is refused at join with the reason the client reports', async (t) => {
  const forged = signJwt({ role: 'authenticated', sub: 'user-1', exp: nowSeconds() + 600 }, `${JWT_SECRET}-not`)
  const { status, message } = await refusedJoin(t, forged)
  assert.equal(status, 'CHANNEL_ERROR')
  assert.match(message, /^JwtSignatureError: Failed to validate JWT signature$/)
})

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** A compact JWS with any header; `signer(signingInput)` gives the signature bytes (none: empty). */
function jws(header, claims, signer = () => Buffer.alloc(0)) {
  const input = `${b64(header)}.${b64(claims)}`
  return `${input}.${b64(signer(input))}`
}

const validClaims = () => ({ role: 'service_role', sub: 'user-1', exp: nowSeconds() + 600 })

test('alg none is refused at join, without a signature and with one', async (t) => {
  // Without a signature the token is not a JWS at all (MalformedJWT); with one, no key signs "none".
  const bare = await refusedJoin(t, jws({ alg: 'none', typ: 'JWT' }, validClaims()))
  assert.equal(bare.status, 'CHANNEL_ERROR')
  assert.match(bare.message, /^(MalformedJWT|JwtSignerError): /)
  const signed = await refusedJoin(t, jws({ alg: 'none', typ: 'JWT' }, validClaims(),
    (input) => createHmac('sha256', JWT_SECRET).update(input).digest()))
  assert.equal(signed.status, 'CHANNEL_ERROR')
  assert.match(signed.message, /^(MalformedJWT|JwtSignerError): /)
})

test('algorithm confusion is refused at join: RS256 to a tenant with an HMAC secret, and HS256 keyed with a public key',
  async (t) => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const rs256 = jws({ alg: 'RS256', typ: 'JWT', kid: 'attacker' }, validClaims(),
      (input) => sign('sha256', Buffer.from(input), privateKey))
    const asymmetric = await refusedJoin(t, rs256)
    assert.equal(asymmetric.status, 'CHANNEL_ERROR')
    assert.match(asymmetric.message, /^JwtSignerError: /)

    const pem = publicKey.export({ type: 'spki', format: 'pem' })
    const hsWithPublicKey = jws({ alg: 'HS256', typ: 'JWT' }, validClaims(),
      (input) => createHmac('sha256', pem).update(input).digest())
    const symmetric = await refusedJoin(t, hsWithPublicKey)
    assert.equal(symmetric.status, 'CHANNEL_ERROR')
    assert.match(symmetric.message, /^JwtSignatureError: Failed to validate JWT signature$/)
  })

test('a token that is not valid yet (nbf) is refused at join', async (t) => {
  const { status, message } = await refusedJoin(t, userToken({ nbf: nowSeconds() + 3600 }))
  assert.equal(status, 'CHANNEL_ERROR')
  assert.match(message, /^InvalidJWTToken: Token is not valid yet/)
})

test('a token without exp/role is refused at join', async (t) => {
  const { status, message } = await refusedJoin(t, signJwt({ sub: 'user-1' }))
  assert.equal(status, 'CHANNEL_ERROR')
  assert.match(message, /^InvalidJWTToken: Fields `role` and `exp` are required in JWT$/)
})

test('a wrongly signed apikey fails the socket; the client reports only a transport error', async (t) => {
  const forged = signJwt({ role: 'anon', exp: nowSeconds() + 600 }, `${JWT_SECRET}-not`)
  const client = newClient(t, { params: { apikey: forged }, reconnectAfterMs: () => 60_000 })
  const channel = client.channel(runTag('auth'))
  const { status, error } = await subscribeFailure(channel)
  console.log(`[auth] bad apikey: ${status}: ${error?.message}`)
  assert.equal(status, 'CHANNEL_ERROR')
  assert.match(error.message, /socket closed|transport failure|connection lost/)
})

test('setAuth with a fresh token keeps the channel joined and delivering', async (t) => {
  const client = newClient(t)
  await client.setAuth(userToken({ exp: nowSeconds() + 60 }))
  const run = runTag('refresh')
  const channel = client.channel(runTag('auth'))
  const events = collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_keyed', filter: `run=eq.${run}` })
  const system = []
  channel.on('system', {}, (m) => system.push(m))
  await subscribed(channel)

  await client.setAuth(userToken({ exp: nowSeconds() + 3600 }))
  const [{ id }] = await sql('INSERT INTO compat_keyed (run) VALUES ($1) RETURNING id', [run])
  await waitFor(() => events.length === 1, undefined, () => show(events))
  assert.equal(events[0].new.id, Number(id))
  assert.equal(channel.state, 'joined')
  assert.ok(!system.some((m) => m.status === 'error'), JSON.stringify(system))
})

test('setAuth with an expired token closes the channel with a system message', async (t) => {
  const client = newClient(t)
  await client.setAuth(userToken())
  const channel = client.channel(runTag('auth'))
  collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_keyed' })
  const system = []
  channel.on('system', {}, (m) => system.push(m))
  await subscribed(channel)

  await client.setAuth(userToken({ exp: nowSeconds() - 5 }))
  await waitFor(() => channel.compatStatuses.some((s) => s.status === 'CLOSED'), undefined,
    () => JSON.stringify({ statuses: channel.compatStatuses, system }))
  console.log(`[auth] refused refresh: ${JSON.stringify(system)}`)
  assert.ok(system.some((m) => m.status === 'error' && /Token has expired/.test(m.message)), JSON.stringify(system))
})
