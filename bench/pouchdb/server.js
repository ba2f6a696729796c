// express-pouchdb over PouchDB's default LevelDB, as the reference server of
// bench/client_vs_pouchdb.py. Counts requests and body bytes both ways (GET /__bench and
// POST /__bench/reset), so both tools are measured alike: bodies only, no headers.
//   node server.js PORT DATA_DIR
const express = require('express');
const PouchDB = require('pouchdb-node');

const [port, dir] = process.argv.slice(2);
const Pouch = PouchDB.defaults({ prefix: dir + '/' });
const stats = { requests: 0, bytes: 0 };
const app = express();
app.get('/__bench', (req, res) => res.json(stats));
app.post('/__bench/reset', (req, res) => {
  stats.requests = 0;
  stats.bytes = 0;
  res.json(stats);
});
app.use((req, res, next) => {
  stats.requests++;
  // The request body's length as sent (reading the stream here would take it from the app).
  stats.bytes += Number(req.headers['content-length'] || 0);
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = (chunk, ...rest) => {
    if (chunk) stats.bytes += Buffer.byteLength(chunk);
    return write(chunk, ...rest);
  };
  res.end = (chunk, ...rest) => {
    if (chunk && typeof chunk !== 'function') stats.bytes += Buffer.byteLength(chunk);
    return end(chunk, ...rest);
  };
  next();
});
app.use('/', require('express-pouchdb')(Pouch, { mode: 'minimumForPouchDB', logPath: dir + '/log.txt' }));
app.listen(Number(port), '127.0.0.1', () => console.log('listening on ' + port));
