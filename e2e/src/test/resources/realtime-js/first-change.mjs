// One @supabase/realtime-js client, as an app creates it, subscribed to new rows of `orders` on
// the tenant's endpoint; prints SUBSCRIBED once it is, then CHANGE <record as JSON> for the first
// insert it receives, and exits. ClusterEndToEndIT copies this next to the runtime module's
// installed realtime-js (realtime-runtime/target/node) and runs it there.
//   SLIPSTREAM_REALTIME_URL  ws://<endpoint>/realtime/v1
//   SLIPSTREAM_APIKEY        the client's token
import { RealtimeClient } from '@supabase/realtime-js'

const client = new RealtimeClient(process.env.SLIPSTREAM_REALTIME_URL, {
  params: { apikey: process.env.SLIPSTREAM_APIKEY },
})
const deadline = setTimeout(() => {
  console.log('TIMEOUT')
  process.exit(1)
}, 120000)
client.channel('orders')
  .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'orders' }, (change) => {
    console.log('CHANGE ' + JSON.stringify(change.new))
    clearTimeout(deadline)
    client.disconnect()
    process.exit(0)
  })
  .subscribe((status, error) => {
    console.log(status + (error ? ' ' + error.message : ''))
  })
