// Reads a Tidewire Avro topic from Node and prints each record as one JSON line, using nothing of
// Tidewire but its .avsc files: avsc decodes, kafkajs reads (read_committed). See docs/CONSUMERS.md.
//
//   npm ci && node consume.js --bootstrap 127.0.0.1:19092 --topic realtime.user-events --from-beginning
//
// Options: --bootstrap HOST:PORT (default $TIDEWIRE_KAFKA_BOOTSTRAP or the demo's 127.0.0.1:19092),
// --topic (realtime.user-events | realtime.feed-events | realtime.user-state), --from-beginning,
// --key K (only records with this key, e.g. a user id), --max N (stop after N printed records),
// --schemas DIR (the repository's schemas/src: main/avro and released/).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';

const { values: args } = parseArgs({
  options: {
    bootstrap: { type: 'string', default: process.env.TIDEWIRE_KAFKA_BOOTSTRAP || '127.0.0.1:19092' },
    topic: { type: 'string', default: 'realtime.user-events' },
    'from-beginning': { type: 'boolean', default: false },
    key: { type: 'string' },
    max: { type: 'string' },
    schemas: { type: 'string', default: new URL('../../../schemas/src', import.meta.url).pathname },
  },
});

// 1. The schemas. The records in common/ are referenced by the top-level ones: load them first.
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const avscIn = (dir) => readdirSync(dir).filter((f) => f.endsWith('.avsc')).sort().map((f) => join(dir, f));
const main = join(args.schemas, 'main', 'avro');
const registry = {};
for (const file of avscIn(join(main, 'common'))) avro.Type.forSchema(readJson(file), { registry });
const readers = ['UserEvent', 'FeedEvent', 'UserState', 'PublicRowEvent'].map(
  (name) => avro.Type.forSchema(readJson(join(main, `${name}.avsc`)), { registry }));

// 2. Single-object encoding: C3 01, the writer schema's CRC-64-AVRO fingerprint of its Parsing
// Canonical Form (8 bytes, little-endian), then the Avro binary body. The fingerprint names the
// writer's schema: today's, or one of an earlier release (schemas/src/released/vN/, self-contained),
// which is read into today's shape with a resolver.
const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (fp & 1n ? EMPTY : 0n);
  return fp;
});
function fingerprint(type) {
  let fp = EMPTY;
  for (const byte of Buffer.from(JSON.stringify(type.schema()), 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)];
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(fp);
  return bytes.toString('hex');
}

/** fingerprint (hex) -> { reader, resolver }: today's schemas, then every released one. */
const byFingerprint = new Map(readers.map((reader) => [fingerprint(reader), { reader, resolver: undefined }]));
const released = join(args.schemas, 'released');
for (const version of readdirSync(released).sort()) {
  for (const file of avscIn(join(released, version))) {
    const writer = avro.Type.forSchema(readJson(file));
    const reader = readers.find((r) => r.name === writer.name);
    if (reader && !byFingerprint.has(fingerprint(writer))) {
      byFingerprint.set(fingerprint(writer), { reader, resolver: reader.createResolver(writer) });
    }
  }
}

function decode(bytes) {
  if (bytes.length < 10 || bytes[0] !== 0xc3 || bytes[1] !== 0x01) throw new Error('not single-object encoded');
  const fp = bytes.subarray(2, 10).toString('hex');
  const known = byFingerprint.get(fp);
  if (!known) throw new Error(`unknown schema fingerprint ${fp}: newer schemas than these?`);
  return { schema: known.reader.name, fingerprint: fp, value: known.reader.fromBuffer(bytes.subarray(10), known.resolver) };
}

/**
 * UserEvent/FeedEvent.data is a union of records: avsc wraps it as { "<full name>": record }.
 * PublicRowEvent.data is a RowChange, not a union.
 */
function plain(schema, value) {
  if (!value || typeof value.data !== 'object' || value.data === null) return value;
  const [branch, data] = schema.endsWith('.PublicRowEvent')
    ? ['io.tidewire.schemas.avro.RowChange', value.data]
    : Object.entries(value.data)[0];
  // RowChange.row and .old are JSON strings (the rows), not nested records
  const rows = branch.endsWith('.RowChange')
    ? { row: JSON.parse(data.row), old: data.old == null ? null : JSON.parse(data.old) }
    : {};
  return { ...value, dataType: branch.slice(branch.lastIndexOf('.') + 1), data: { ...data, ...rows } };
}

// 3. Kafka: read_committed (the processor writes in transactions), no lz4 needed for realtime.*.
const kafka = new Kafka({
  clientId: 'tidewire-consumer-example',
  brokers: args.bootstrap.split(','),
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, log }) => console.error(`kafkajs ${namespace}: ${log.message}${log.error ? ` (${log.error})` : ""}`),
});
const consumer = kafka.consumer({ groupId: `tidewire-example-${randomUUID()}`, readUncommitted: false });
const max = args.max ? Number(args.max) : Infinity;
let printed = 0;
let done;
const finished = new Promise((resolve) => { done = resolve; });

await consumer.connect();
await consumer.subscribe({ topic: args.topic, fromBeginning: args['from-beginning'] });
await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    const key = message.key?.toString('utf8') ?? null;
    if (printed >= max || (args.key && key !== args.key) || message.value === null) return;
    const { schema, fingerprint: fp, value } = decode(message.value);
    console.log(JSON.stringify({ topic, partition, offset: message.offset, key, schema, fingerprint: fp, value: plain(schema, value) }));
    if (++printed >= max) done();
  },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => done());
await finished;
await consumer.disconnect();
