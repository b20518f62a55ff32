// What a client may rely on around SUBSCRIBED: a write committed after it saw SUBSCRIBED reaches
// it, and a table just added to the publication (what the operator runs when a RealtimePublication
// gains a table) is joinable at once, not after the runtime's next periodic read of its catalog.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { newClient, subscribed, collect, waitFor, sql, closePool, runTag, show } from '#harness'

after(closePool)

test('a table added to the publication is joinable at once and streams its rows', async (t) => {
  const table = `compat_added_${randomBytes(5).toString('hex')}`
  await sql(`CREATE TABLE ${table} (id bigint PRIMARY KEY, body text NOT NULL)`)
  t.after(async () => {
    await sql(`ALTER PUBLICATION compat DROP TABLE ${table}`)
    await sql(`DROP TABLE ${table}`)
  })
  await sql(`ALTER PUBLICATION compat ADD TABLE ${table}`)

  const client = newClient(t)
  const channel = client.channel(`added-${runTag('ch')}`)
  const events = collect(channel, { event: 'INSERT', schema: 'public', table })
  await subscribed(channel)
  await sql(`INSERT INTO ${table} VALUES (1, 'first row')`)
  await waitFor(() => events.length >= 1, undefined, () => show(events))
  assert.deepEqual(events.map((e) => e.new), [{ id: 1, body: 'first row' }])
})

test('a row committed after SUBSCRIBED is delivered: 1,000 join-then-insert races, none missed', async (t) => {
  // 20 clients, each joining at most 10 times a second (a client's share of joins; 200 a second in
  // all, under the tenant's 500): joins beyond the limits are refused, which is not what this tests.
  const workers = 20
  const pairsPerWorker = 50
  const joinIntervalMs = 100
  const run = runTag('race')
  const missed = []
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    const client = newClient(t)
    for (let i = 0; i < pairsPerWorker; i++) {
      const started = Date.now()
      const label = `${run}-${w}-${i}`
      const channel = client.channel(`race-${w}-${i}`)
      const events = collect(channel, { event: 'INSERT', schema: 'public', table: 'compat_filter', filter: `label=eq.${label}` })
      await subscribed(channel)
      await sql('INSERT INTO compat_filter (run, n, label) VALUES ($1, $2, $3)', [run, i, label])
      try {
        await waitFor(() => events.length >= 1, 10000)
      } catch {
        missed.push(label)
      }
      assert.ok(events.length <= 1, `${label}: ${show(events)}`)
      await client.removeChannel(channel)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, joinIntervalMs - (Date.now() - started))))
    }
  }))
  assert.deepEqual(missed, [], `rows committed after SUBSCRIBED that never arrived: ${missed.length}`)
})
