// postgres_changes as an application receives them through realtime-js: one binding per event
// type, the payload fields the client builds (eventType, schema, table, commit_timestamp, new,
// old, errors), REPLICA IDENTITY FULL against the default identity, and nothing extra.
//
// "Nothing extra": after the expected changes each test commits a sentinel change that its
// subscription matches and waits for it. Changes reach a socket in commit order, so once the
// sentinel is in, anything else the writes had caused would be in too.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  newClient, subscribed, collect, waitFor, sql, transaction, closePool, runTag, show,
} from '#harness'

after(closePool)

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/

/** The row as PostgreSQL's to_jsonb renders it: what Supabase Realtime sends as new/old. */
async function rowJson(table, id) {
  const rows = await sql(`SELECT to_jsonb(t) AS j FROM ${table} t WHERE id = $1`, [id])
  assert.equal(rows.length, 1, `row ${id} of ${table}`)
  return rows[0].j
}

async function insertFull(run, values = {}) {
  const v = {
    body: 'hello', n: 1, price: '12.50', flag: true, tags: ['a', 'b,c'], meta: { k: [1, 2], s: 'x' },
    ...values,
  }
  const rows = await sql(
    `INSERT INTO compat_full (run, body, n, price, flag, tags, meta, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING id`,
    [run, v.body, v.n, v.price, v.flag, v.tags, v.meta])
  return Number(rows[0].id)
}

function assertEnvelope(event, eventType, table) {
  assert.equal(event.eventType, eventType, show([event]))
  assert.equal(event.schema, 'public')
  assert.equal(event.table, table)
  assert.equal(event.errors, null, 'errors is null')
  assert.match(event.commit_timestamp, ISO_UTC, 'commit_timestamp is ISO 8601 in UTC')
  const skew = Math.abs(Date.parse(event.commit_timestamp) - Date.now())
  assert.ok(skew < 60_000, `commit_timestamp ${event.commit_timestamp} is close to now`)
}

async function subscribeTo(t, filter) {
  const client = newClient(t)
  const channel = client.channel(`pc-${runTag('ch')}`)
  const events = collect(channel, filter)
  await subscribed(channel)
  return { client, channel, events }
}

test('INSERT binding receives inserts only, with new = the row and old = {}', async (t) => {
  const run = runTag('ins')
  const { events } = await subscribeTo(t, { event: 'INSERT', schema: 'public', table: 'compat_full' })

  const a = await insertFull(run)
  const b = await insertFull(run, { body: null, n: -7, price: '0.01', flag: false, tags: [], meta: null })
  await sql('UPDATE compat_full SET body = $2 WHERE id = $1', [a, 'changed'])
  await sql('DELETE FROM compat_full WHERE id = $1', [b])
  const sentinel = await insertFull(run, { body: 'sentinel' })
  await waitFor(() => events.some((e) => e.new.id === sentinel), undefined, () => show(events))

  assert.deepEqual(events.map((e) => e.new.id), [a, b, sentinel], show(events))
  const expectedA = { ...(await rowJson('compat_full', a)), body: 'hello' } // the row as inserted
  assertEnvelope(events[0], 'INSERT', 'compat_full')
  assert.deepEqual(events[0].new, expectedA)
  assert.deepEqual(events[0].old, {})
  assert.deepEqual(events[1].new, {
    id: b, run, body: null, n: -7, price: 0.01, flag: false, tags: [], meta: null, at: events[1].new.at,
  })
  assert.match(events[1].new.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/)
  assert.equal(typeof events[0].new.id, 'number')
  assert.deepEqual(events[0].new.tags, ['a', 'b,c'])
  assert.deepEqual(events[0].new.meta, { k: [1, 2], s: 'x' })
})

test('UPDATE binding under REPLICA IDENTITY FULL receives new and the full old row', async (t) => {
  const run = runTag('upd')
  const id = await insertFull(run)
  const other = await insertFull(run, { body: 'other' })
  const { events } = await subscribeTo(t, { event: 'UPDATE', schema: 'public', table: 'compat_full' })

  const before1 = await rowJson('compat_full', id)
  await sql('UPDATE compat_full SET body = $2, n = n + 1, meta = $3 WHERE id = $1', [id, 'first', { v: 1 }])
  const after1 = await rowJson('compat_full', id)
  await sql('UPDATE compat_full SET flag = NOT flag, tags = $2 WHERE id = $1', [id, ['z']])
  const after2 = await rowJson('compat_full', id)
  await insertFull(run, { body: 'not an update' })
  await sql('DELETE FROM compat_full WHERE id = $1', [id])
  await sql('UPDATE compat_full SET body = $2 WHERE id = $1', [other, 'sentinel'])
  await waitFor(() => events.some((e) => e.new.id === other), undefined, () => show(events))

  assert.equal(events.length, 3, show(events))
  assertEnvelope(events[0], 'UPDATE', 'compat_full')
  assert.deepEqual(events[0].new, after1)
  assert.deepEqual(events[0].old, before1)
  assert.deepEqual(events[1].new, after2)
  assert.deepEqual(events[1].old, after1)
  assert.equal(events[2].new.body, 'sentinel')
  assert.equal(events[2].old.body, 'other')
})

test('DELETE binding under REPLICA IDENTITY FULL receives the full old row and new = {}', async (t) => {
  const run = runTag('del')
  const id = await insertFull(run)
  const sentinel = await insertFull(run, { body: 'sentinel' })
  const { events } = await subscribeTo(t, { event: 'DELETE', schema: 'public', table: 'compat_full' })

  const before = await rowJson('compat_full', id)
  await sql('UPDATE compat_full SET body = $2 WHERE id = $1', [id, 'not a delete'])
  const updated = await rowJson('compat_full', id)
  await insertFull(run, { body: 'not a delete either' })
  await sql('DELETE FROM compat_full WHERE id = $1', [id])
  await sql('DELETE FROM compat_full WHERE id = $1', [sentinel])
  await waitFor(() => events.some((e) => e.old.id === sentinel), undefined, () => show(events))

  assert.equal(events.length, 2, show(events))
  assertEnvelope(events[0], 'DELETE', 'compat_full')
  assert.notDeepEqual(before, updated)
  assert.deepEqual(events[0].old, updated)
  assert.deepEqual(events[0].new, {})
  assert.equal(events[1].old.id, sentinel)
})

test('* binding receives INSERT, UPDATE and DELETE in commit order', async (t) => {
  const run = runTag('all')
  const { events } = await subscribeTo(t, { event: '*', schema: 'public', table: 'compat_full' })

  const id = await insertFull(run)
  const inserted = await rowJson('compat_full', id)
  await sql('UPDATE compat_full SET n = 42 WHERE id = $1', [id])
  const updated = await rowJson('compat_full', id)
  await sql('DELETE FROM compat_full WHERE id = $1', [id])
  const sentinel = await insertFull(run, { body: 'sentinel' })
  await waitFor(() => events.some((e) => e.new.id === sentinel), undefined, () => show(events))

  assert.deepEqual(events.map((e) => e.eventType), ['INSERT', 'UPDATE', 'DELETE', 'INSERT'], show(events))
  events.slice(0, 3).forEach((e) => assertEnvelope(e, e.eventType, 'compat_full'))
  assert.deepEqual(events[0].new, inserted)
  assert.deepEqual(events[0].old, {})
  assert.deepEqual(events[1].new, updated)
  assert.deepEqual(events[1].old, inserted)
  assert.deepEqual(events[2].new, {})
  assert.deepEqual(events[2].old, updated)
})

test('default replica identity: UPDATE old is empty when the key is unchanged, DELETE old has only the key',
  async (t) => {
    const run = runTag('key')
    const { events } = await subscribeTo(t, { event: '*', schema: 'public', table: 'compat_keyed' })

    const [[{ id: rawId }]] = await transaction([
      ['INSERT INTO compat_keyed (run, body, n) VALUES ($1, $2, $3) RETURNING id', [run, 'k', 1]],
    ])
    const id = Number(rawId)
    await sql('UPDATE compat_keyed SET body = $2 WHERE id = $1', [id, 'k2'])
    await sql('UPDATE compat_keyed SET id = $2 WHERE id = $1', [id, id + 1_000_000])
    await sql('DELETE FROM compat_keyed WHERE id = $1', [id + 1_000_000])
    const [{ id: sentinel }] = await sql('INSERT INTO compat_keyed (run, body) VALUES ($1, $2) RETURNING id',
      [run, 'sentinel'])
    await waitFor(() => events.some((e) => e.new.id === Number(sentinel)), undefined, () => show(events))

    assert.deepEqual(events.map((e) => e.eventType), ['INSERT', 'UPDATE', 'UPDATE', 'DELETE', 'INSERT'],
      show(events))
    events.slice(0, 4).forEach((e) => assertEnvelope(e, e.eventType, 'compat_keyed'))
    assert.deepEqual(events[0].new, { id, run, body: 'k', n: 1 })
    assert.deepEqual(events[1].new, { id, run, body: 'k2', n: 1 })
    assert.deepEqual(events[1].old, {}, 'no old row for an UPDATE that keeps the key (default identity)')
    assert.deepEqual(events[2].new, { id: id + 1_000_000, run, body: 'k2', n: 1 })
    assert.deepEqual(events[2].old, { id }, 'the old key when the UPDATE changes it')
    assert.deepEqual(events[3].new, {})
    assert.deepEqual(events[3].old, { id: id + 1_000_000 }, 'DELETE old holds the key only')
  })

test('a transaction of several changes arrives whole and in order', async (t) => {
  const run = runTag('tx')
  const { events } = await subscribeTo(t, { event: '*', schema: 'public', table: 'compat_full' })

  const ids = (await transaction([
    ["INSERT INTO compat_full (run, n) VALUES ($1, 1) RETURNING id", [run]],
    ["INSERT INTO compat_full (run, n) VALUES ($1, 2) RETURNING id", [run]],
    ["INSERT INTO compat_full (run, n) VALUES ($1, 3) RETURNING id", [run]],
  ])).map((rows) => Number(rows[0].id))
  await transaction([
    ['UPDATE compat_full SET n = n * 10 WHERE id = $1', [ids[2]]],
    ['DELETE FROM compat_full WHERE id = $1', [ids[0]]],
  ])
  const sentinel = await insertFull(run, { body: 'sentinel' })
  await waitFor(() => events.some((e) => e.new.id === sentinel), undefined, () => show(events))

  assert.deepEqual(events.map((e) => `${e.eventType}:${e.new.id ?? e.old.id}:${e.new.n ?? e.old.n}`), [
    `INSERT:${ids[0]}:1`, `INSERT:${ids[1]}:2`, `INSERT:${ids[2]}:3`,
    `UPDATE:${ids[2]}:30`, `DELETE:${ids[0]}:1`, `INSERT:${sentinel}:1`,
  ], show(events))
  assert.equal(events[0].commit_timestamp, events[2].commit_timestamp, 'one commit, one commit_timestamp')
  assert.equal(events[3].commit_timestamp, events[4].commit_timestamp)
})

test('a binding without a table receives every table of the schema', async (t) => {
  const run = runTag('schema')
  const { events } = await subscribeTo(t, { event: 'INSERT', schema: 'public' })

  const full = await insertFull(run)
  const [{ id: keyed }] = await sql('INSERT INTO compat_keyed (run) VALUES ($1) RETURNING id', [run])
  const [{ id: filtered }] = await sql('INSERT INTO compat_filter (run, n, label) VALUES ($1, 0, $2) RETURNING id',
    [run, 'sentinel'])
  await waitFor(() => events.some((e) => e.table === 'compat_filter' && e.new.id === Number(filtered)), undefined,
    () => show(events))

  assert.deepEqual(events.map((e) => `${e.table}:${e.new.id}`),
    [`compat_full:${full}`, `compat_keyed:${keyed}`, `compat_filter:${filtered}`], show(events))
})
