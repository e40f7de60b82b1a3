// The ONNX Runtime side of bench/vs_ort: one model at one shape and thread count in a fresh node
// process. Prints one JSON line: idle peak RSS (binding loaded, no session), session creation, first
// inference, latency mean/p99 over the measured runs, process peak RSS.
// usage: node ort_side.js MODEL "x:1,3,640,640" THREADS WARMUP ITERS   (env ORT_NODE: the package)
'use strict';
const ort = require(process.env.ORT_NODE || 'onnxruntime-node');

// Peak resident set (VmHWM) in bytes; process.resourceUsage().maxRSS is the same number in KiB.
const peakRss = () => process.resourceUsage().maxRSS * 1024;

function feedsFor(spec) {
  const feeds = {};
  for (const part of spec.split(';')) {
    const colon = part.lastIndexOf(':');
    const shape = part.slice(colon + 1).split(',').map(Number);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (Math.sin(i) + 1) * 0.5; // [0, 1], like gearbench's inputs
    feeds[part.slice(0, colon)] = new ort.Tensor('float32', data, shape);
  }
  return feeds;
}

async function main() {
  const [model, spec, threads = '1', warmup = '3', iters = '20'] = process.argv.slice(2);
  // onnxruntime-node loads its native binding on require; touch the API so it surely is.
  if (typeof ort.InferenceSession.create !== 'function') throw new Error('onnxruntime-node has no InferenceSession');
  const idle = peakRss();
  const feeds = feedsFor(spec);
  const opts = { intraOpNumThreads: +threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
                 executionProviders: ['cpu'] };
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, opts);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  await session.run(feeds);
  const firstMs = Number(process.hrtime.bigint() - t1) / 1e6;
  for (let i = 0; i < +warmup; i++) await session.run(feeds);
  const ts = [];
  for (let i = 0; i < +iters; i++) {
    const a = process.hrtime.bigint();
    await session.run(feeds);
    ts.push(Number(process.hrtime.bigint() - a) / 1e6);
  }
  ts.sort((a, b) => a - b);
  const mean = ts.reduce((a, b) => a + b, 0) / ts.length;
  // p99 by linear interpolation between order statistics (gearbench computes it the same way).
  const pos = 0.99 * (ts.length - 1), lo = Math.floor(pos), hi = Math.min(lo + 1, ts.length - 1);
  const p99 = ts[lo] + (ts[hi] - ts[lo]) * (pos - lo);
  console.log(JSON.stringify({ load_ms: loadMs, first_ms: firstMs, mean_ms: mean, p99_ms: p99,
                               idle_rss_bytes: idle, peak_rss_bytes: peakRss() }));
}
main().catch(e => { console.error(e.message); process.exit(1); });
