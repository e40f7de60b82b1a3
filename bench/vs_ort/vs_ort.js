// bench/vs_ort driver: GearStudio (gearbench, static gear and fully dynamic mode) against ONNX Runtime
// (CPU EP, all graph optimisations) on the PP-OCR models, in one run on one machine. Every row runs
// the three sides back to back in fresh processes, the order reversed on every repetition (A B C,
// C B A, ...) so slow phases of a shared machine hit all sides alike; the table shows medians over
// the repetitions and the ratios GearStudio / ONNX Runtime. Started by bench/vs_ort/run.sh, which
// prepares ONNX Runtime and the .om files; see bench/README.md.
//
// usage: node vs_ort.js GEARATC GEARBENCH ORT_PACKAGE MODELS_DIR WORK_DIR
// env:   REPS (default 3), THREADS ("1,2"), ROWS (comma list of row names, default all),
//        ITERS_SCALE (multiplies the per-row measured runs, default 1), JSON (write results there),
//        GS_WAIT_POLICY (OMP_WAIT_POLICY for gearbench, default PASSIVE; "default": libgomp's own)
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const [gearatc, gearbench, ortPackage, modelsDir, workDir] = process.argv.slice(2);
if (!workDir) {
  console.error('usage: node vs_ort.js GEARATC GEARBENCH ORT_PACKAGE MODELS_DIR WORK_DIR');
  process.exit(2);
}
const reps = Math.max(1, +(process.env.REPS || 3));
const threadList = (process.env.THREADS || '1,2').split(',').map(Number);
const itersScale = +(process.env.ITERS_SCALE || 1);
// gearbench's OpenMP threads sleep while idle: libgomp's default spinning starves the partner thread
// on a shared machine (det at 2 threads ~3x slower under load). See bench/README.md.
const gsWait = process.env.GS_WAIT_POLICY || 'PASSIVE';
const gsEnv = { ...process.env };
if (gsWait !== 'default') gsEnv.OMP_WAIT_POLICY = gsWait;

// Rows: model, input shape, measured runs (about the same wall time per row), warm-up runs.
const allRows = [
  { name: 'det', file: 'ch_PP-OCRv4_det_infer.onnx', dims: [1, 3, 640, 640], iters: 20, warmup: 3 },
  { name: 'rec', file: 'ch_PP-OCRv4_rec_infer.onnx', dims: [8, 3, 48, 320], iters: 30, warmup: 3 },
  { name: 'cls', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [16, 3, 48, 192], iters: 60, warmup: 5 },
  { name: 'cls-b1', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', dims: [1, 3, 48, 192], iters: 300, warmup: 20 },
  // float16 variants (scripts/variants/to_fp16.py; run.sh makes them in .cache/variants, next to MODELS_DIR)
  { name: 'det-fp16', file: '../variants/ch_PP-OCRv4_det_infer_fp16.onnx', dims: [1, 3, 640, 640], iters: 20, warmup: 3 },
  { name: 'rec-fp16', file: '../variants/ch_PP-OCRv4_rec_infer_fp16.onnx', dims: [8, 3, 48, 320], iters: 30, warmup: 3 },
  { name: 'cls-fp16', file: '../variants/ch_ppocr_mobile_v2.0_cls_infer_fp16.onnx', dims: [16, 3, 48, 192], iters: 60,
    warmup: 5 },
];
const wanted = process.env.ROWS ? process.env.ROWS.split(',') : null;
const rows = allRows.filter(r => !wanted || wanted.includes(r.name));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  }
  return r;
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// .om files: one static gear at the row's shape, and the fully dynamic model (every dim but C free).
function compileModels() {
  fs.mkdirSync(workDir, { recursive: true });
  const dynamicDone = new Set();
  for (const row of rows) {
    const onnx = path.join(modelsDir, row.file);
    row.staticOm = path.join(workDir, `${row.name}_static`);
    run(gearatc, [`--model=${onnx}`, '--framework=5', `--input_shape=x:${row.dims.join(',')}`,
                  `--output=${row.staticOm}`]);
    row.dynamicOm = path.join(workDir, `${path.basename(row.file).replace('.onnx', '')}_dynamic`);
    if (dynamicDone.has(row.file)) continue;
    run(gearatc, [`--model=${onnx}`, '--framework=5', '--input_shape=x:-1,3,-1,-1', `--output=${row.dynamicOm}`]);
    dynamicDone.add(row.file);
  }
}

function gearbenchSide(row, threads, dynamic) {
  const json = path.join(workDir, 'gearbench.json');
  const args = [`--model=${(dynamic ? row.dynamicOm : row.staticOm)}.om`, `--threads=${threads}`,
                `--loop=${Math.round(row.iters * itersScale)}`, `--warmup=${row.warmup}`, `--json=${json}`];
  if (dynamic) args.push(`--gear=x:${row.dims.join(',')}`);
  run(gearbench, args, { env: gsEnv });
  const j = JSON.parse(fs.readFileSync(json, 'utf8'));
  const g = j.gears[0];
  // cold: .om read + session creation + first inference; memory above the same process's peak before
  // it read the model.
  return { mean: g.latency_ms.mean, p99: g.latency_ms.p99,
           cold: (j.model.read_ms ?? 0) + j.model.load_ms + g.first_inference_ms,
           peak: g.memory.peak_rss_bytes, idle: j.model.idle_rss_bytes, flops: g.flops, gflops: g.gflops_per_s,
           peakShare: g.peak_share_pct };
}

function ortSide(row, threads) {
  const r = run('node', [path.join(__dirname, 'ort_side.js'), path.join(modelsDir, row.file), `x:${row.dims.join(',')}`,
                         String(threads), String(row.warmup), String(Math.round(row.iters * itersScale))],
                { env: { ...process.env, ORT_NODE: ortPackage } });
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  return { mean: j.mean_ms, p99: j.p99_ms, cold: j.load_ms + j.first_ms, peak: j.peak_rss_bytes,
           idle: j.idle_rss_bytes };
}

function measure() {
  const samples = {}; // key -> {static: [], dynamic: [], ort: []}
  for (let rep = 0; rep < reps; ++rep) {
    for (const threads of threadList) {
      for (const row of rows) {
        const key = `${row.name}|${threads}`;
        const s = samples[key] ??= { row, threads, static: [], dynamic: [], ort: [] };
        const sides = [
          () => s.static.push(gearbenchSide(row, threads, false)),
          () => s.ort.push(ortSide(row, threads)),
          () => s.dynamic.push(gearbenchSide(row, threads, true)),
        ];
        if (rep % 2) sides.reverse();
        for (const side of sides) side();
        process.stderr.write(`rep ${rep + 1}/${reps} ${row.name} t${threads}: static ${s.static.at(-1).mean.toFixed(2)} ` +
                             `ort ${s.ort.at(-1).mean.toFixed(2)} dynamic ${s.dynamic.at(-1).mean.toFixed(2)} ms\n`);
      }
    }
  }
  return Object.values(samples);
}

function summarise(list) {
  return list.map(s => {
    const m = (xs, f) => median(xs.map(f));
    const out = {
      model: s.row.name, shape: s.row.dims.join('x'), threads: s.threads, reps: s.static.length,
      static: { mean_ms: m(s.static, x => x.mean), p99_ms: m(s.static, x => x.p99), cold_ms: m(s.static, x => x.cold),
                mem_bytes: m(s.static, x => x.peak - x.idle), gflops_per_s: m(s.static, x => x.gflops),
                peak_share_pct: m(s.static, x => x.peakShare ?? 0) },
      dynamic: { mean_ms: m(s.dynamic, x => x.mean), p99_ms: m(s.dynamic, x => x.p99),
                 mem_bytes: m(s.dynamic, x => x.peak - x.idle) },
      ort: { mean_ms: m(s.ort, x => x.mean), p99_ms: m(s.ort, x => x.p99), cold_ms: m(s.ort, x => x.cold),
             mem_bytes: m(s.ort, x => x.peak - x.idle) },
      idle_bytes: { gearbench: m(s.static, x => x.idle), ort: m(s.ort, x => x.idle) },
    };
    // Ratios of the per-repetition ratios' medians: each repetition's sides ran back to back.
    const rr = (a, b) => median(a.map((x, i) => x / b[i]));
    out.ratio = {
      mean: rr(s.static.map(x => x.mean), s.ort.map(x => x.mean)),
      p99: rr(s.static.map(x => x.p99), s.ort.map(x => x.p99)),
      mem: rr(s.static.map(x => x.peak - x.idle), s.ort.map(x => x.peak - x.idle)),
      cold: rr(s.static.map(x => x.cold), s.ort.map(x => x.cold)),
      dynamic_vs_ort: rr(s.dynamic.map(x => x.mean), s.ort.map(x => x.mean)),
      static_vs_dynamic: rr(s.static.map(x => x.mean), s.dynamic.map(x => x.mean)),
      dynamic_mem: rr(s.dynamic.map(x => x.peak - x.idle), s.ort.map(x => x.peak - x.idle)),
    };
    return out;
  });
}

function printTable(results) {
  const f = (v, d = 2) => v.toFixed(d);
  const mib = b => (b / 1048576).toFixed(1);
  const head = ['model', 'shape', 'thr', 'GS mean', 'ORT mean', 'ratio', 'GS p99', 'ORT p99', 'ratio',
                'GS MiB', 'ORT MiB', 'ratio', 'GS cold', 'ORT cold', 'ratio', 'dyn mean', 'dyn/ORT', 'stat/dyn', 'GFLOP/s', '% peak'];
  const body = results.map(r => [r.model, r.shape, String(r.threads), f(r.static.mean_ms), f(r.ort.mean_ms), f(r.ratio.mean),
                                 f(r.static.p99_ms), f(r.ort.p99_ms), f(r.ratio.p99), mib(r.static.mem_bytes),
                                 mib(r.ort.mem_bytes), f(r.ratio.mem), f(r.static.cold_ms, 1), f(r.ort.cold_ms, 1),
                                 f(r.ratio.cold), f(r.dynamic.mean_ms), f(r.ratio.dynamic_vs_ort),
                                 f(r.ratio.static_vs_dynamic), f(r.static.gflops_per_s, 1),
                                 f(r.static.peak_share_pct, 1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map(b => b[i].length)));
  const line = cells => '| ' + cells.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + widths.map(w => '-'.repeat(w + 1) + ':').join('|') + '|');
  for (const b of body) console.log(line(b));
  console.log(`\ntimes in ms (medians over ${reps} repetitions); memory: peak RSS above each side's idle process ` +
              '(gearbench: the same process before it read the model; node: binding loaded, no session); cold: model file ' +
              'read + session creation + first inference; GFLOP/s and % peak: the static gear against the cached FMA ' +
              'peak for those threads (gearbench roofline); ' +
              'ratios: medians of the per-repetition GearStudio / ONNX Runtime ratios');
  const load = require('os').loadavg();
  console.log(`gearbench OMP_WAIT_POLICY: ${gsWait}; ONNX Runtime: its defaults`);
  console.log(`load average during the run: ${load.map(x => x.toFixed(1)).join(' ')} on ${require('os').cpus().length} CPUs`);
}

try {
  compileModels();
  const results = summarise(measure());
  printTable(results);
  if (process.env.JSON) fs.writeFileSync(process.env.JSON, JSON.stringify({ reps, results }, null, 2) + '\n');
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
