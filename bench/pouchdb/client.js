// A PouchDB client for bench/client_vs_pouchdb.py, with PouchDB's default replication
// settings. Prints one JSON line: {"ms": replication time, "docs": documents written}.
//   node client.js load DIR FILE          local bulkDocs of JSON lines {"key","document"}
//   node client.js push DIR URL           replicate DIR to URL
//   node client.js pull DIR URL           replicate URL into DIR
//   node client.js change DIR FILE        local update of the documents in FILE (JSON lines)
const fs = require('fs');
const readline = require('readline');
const PouchDB = require('pouchdb-node');

async function readLines(file) {
  const out = [];
  const rl = readline.createInterface({ input: fs.createReadStream(file) });
  for await (const line of rl) if (line.trim()) out.push(JSON.parse(line));
  return out;
}

async function main() {
  const [verb, dir, arg] = process.argv.slice(2);
  const db = new PouchDB(dir);
  const start = process.hrtime.bigint();
  let docs = 0;
  if (verb === 'load' || verb === 'change') {
    const lines = await readLines(arg);
    for (let i = 0; i < lines.length; i += 5000) {
      const batch = lines.slice(i, i + 5000).map((l) => ({ _id: l.key, ...l.document }));
      if (verb === 'change') {
        const got = await db.allDocs({ keys: batch.map((d) => d._id) });
        got.rows.forEach((row, j) => { batch[j]._rev = row.value.rev; });
      }
      await db.bulkDocs(batch);
      docs += batch.length;
    }
  } else if (verb === 'push' || verb === 'pull') {
    const remote = new PouchDB(arg);
    const t0 = process.hrtime.bigint();
    const r = verb === 'push' ? await db.replicate.to(remote) : await db.replicate.from(remote);
    docs = r.docs_written;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(JSON.stringify({ ms, docs }));
    return;
  }
  console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - start) / 1e6, docs }));
}
main().catch((e) => { console.error(e); process.exit(1); });
