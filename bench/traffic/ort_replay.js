// ONNX Runtime (CPU EP) replaying a trace on each request's exact shape: the outside anchor of the
// traffic bench. One session, the requests in order, each timed on its own (input data made before
// the clock starts), three untimed runs of the first request first, as gearbench's replay warms up.
// usage: node ort_replay.js ORT_NODE_DIR MODEL.onnx SHAPES_FILE THREADS
//   SHAPES_FILE: one request per line in --input_shape syntax ("x:1,3,48,320"; several inputs: "a:1,3;b:1,5")
// prints {"requests", "distinct_shapes", "mean_ms", "p50_ms", "p90_ms", "p99_ms", "load_ms"}
const fs = require('fs');

function feedsFor(ort, spec) {
  const feeds = {};
  for (const part of spec.split(';')) {
    const [name, dims] = part.split(':');
    const shape = dims.split(',').map(Number);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i) * 0.5;
    feeds[name] = new ort.Tensor('float32', data, shape);
  }
  return feeds;
}

async function main() {
  const [ortDir, model, shapesFile, threads = '1'] = process.argv.slice(2);
  const ort = require(ortDir);
  const specs = fs.readFileSync(shapesFile, 'utf8').split('\n').map(s => s.trim()).filter(s => s.length > 0);
  if (specs.length === 0) throw new Error(`${shapesFile}: no requests`);
  const opts = { intraOpNumThreads: +threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, opts);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cache = new Map();
  const feeds = spec => {
    if (!cache.has(spec)) cache.set(spec, feedsFor(ort, spec));
    return cache.get(spec);
  };
  for (let i = 0; i < 3; i++) await session.run(feeds(specs[0]));
  const ts = [];
  for (const spec of specs) {
    const f = feeds(spec);
    const a = process.hrtime.bigint();
    await session.run(f);
    ts.push(Number(process.hrtime.bigint() - a) / 1e6);
  }
  const mean = ts.reduce((a, b) => a + b, 0) / ts.length;
  const sorted = [...ts].sort((a, b) => a - b);
  const pct = p => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  console.log(JSON.stringify({ requests: ts.length, distinct_shapes: cache.size, mean_ms: mean, p50_ms: pct(0.5),
    p90_ms: pct(0.9), p99_ms: pct(0.99), load_ms: loadMs }));
}
main().catch(e => { console.error(e.message); process.exit(1); });
