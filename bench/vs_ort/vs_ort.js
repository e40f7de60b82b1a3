// bench/vs_ort driver: GearStudio (gearbench, static gear and dynamic mode) against ONNX Runtime (CPU EP,
// all graph optimisations), in one run on one machine. The rows come from bench/vs_ort/rows.json (model,
// per-input shapes, iterations; see the comment there). Every row runs the three sides back to back in
// fresh processes, the order reversed on every repetition (A B C, C B A, ...) so slow phases of a shared
// machine hit all sides alike; the table shows medians over the repetitions and the ratios GearStudio /
// ONNX Runtime. Started by bench/vs_ort/run.sh, which prepares ONNX Runtime, the generated models and
// the tools; see bench/README.md.
//
// usage: node vs_ort.js GEARATC GEARBENCH ORT_PACKAGE MODELS_DIR WORK_DIR [GEN_DIR]
// env:   REPS (default 3), THREADS ("1,2"), ROWS (comma list of row names or groups, default all),
//        ROWS_FILE (default rows.json next to this script), ITERS_SCALE (multiplies the per-row measured
//        runs, default 1), JSON (write results there), GS_WAIT_POLICY (OMP_WAIT_POLICY for gearbench,
//        default PASSIVE; "default": libgomp's own)
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [gearatc, gearbench, ortPackage, modelsDir, workDir, genDirArg] = process.argv.slice(2);
if (!workDir) {
  console.error('usage: node vs_ort.js GEARATC GEARBENCH ORT_PACKAGE MODELS_DIR WORK_DIR [GEN_DIR]');
  process.exit(2);
}
const genDir = genDirArg || path.join(path.dirname(workDir), 'bench-models');
const reps = Math.max(1, +(process.env.REPS || 3));
const threadList = (process.env.THREADS || '1,2').split(',').map(Number);
const itersScale = +(process.env.ITERS_SCALE || 1);
// gearbench's OpenMP threads sleep while idle: libgomp's default spinning starves the partner thread
// on a shared machine (det at 2 threads ~3x slower under load). See bench/README.md.
const gsWait = process.env.GS_WAIT_POLICY || 'PASSIVE';
const gsEnv = { ...process.env };
if (gsWait !== 'default') gsEnv.OMP_WAIT_POLICY = gsWait;

// Rows: see the comment in rows.json.
const rowsFile = process.env.ROWS_FILE || path.join(__dirname, 'rows.json');
const allRows = loadRows(rowsFile);
const wanted = process.env.ROWS ? process.env.ROWS.split(',').filter(Boolean) : null;
const rows = allRows.filter(r => !wanted || wanted.includes(r.name) || wanted.includes(r.group));
if (wanted) {
  const unknown = wanted.filter(w => !allRows.some(r => r.name === w || r.group === w));
  if (unknown.length) {
    console.error(`ROWS: unknown row(s) ${unknown.join(', ')}; known: ${allRows.map(r => r.name).join(', ')}`);
    process.exit(2);
  }
}

function loadRows(file) {
  let j;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
  const bad = msg => { console.error(`${file}: ${msg}`); process.exit(2); };
  if (!Array.isArray(j.rows)) bad('no "rows" array');
  const names = new Set();
  return j.rows.map((r, i) => {
    const where = `row ${i + 1}${r && r.name ? ` (${r.name})` : ''}`;
    if (!r || typeof r.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(r.name)) bad(`${where}: "name" must be letters, digits, . _ -`);
    if (names.has(r.name)) bad(`${where}: duplicate name`);
    names.add(r.name);
    if (typeof r.model !== 'string' || !r.model) bad(`${where}: "model" missing`);
    const dims = spec => spec && typeof spec === 'object' && Object.keys(spec).length > 0 &&
      Object.values(spec).every(d => Array.isArray(d) && d.length > 0 && d.every(Number.isInteger));
    if (!dims(r.inputs) || Object.values(r.inputs).some(d => d.some(x => x < 1))) bad(`${where}: "inputs" must map input names to positive dims`);
    if (r.dynamic != null && (!dims(r.dynamic) || Object.keys(r.dynamic).join() !== Object.keys(r.inputs).join())) {
      bad(`${where}: "dynamic" must give dims (-1 = free) for the same inputs, in the same order`);
    }
    for (const k of ['iters', 'warmup']) if (!Number.isInteger(r[k]) || r[k] < (k === 'iters' ? 1 : 0)) bad(`${where}: "${k}" must be a count`);
    const dir = r.dir || 'models';
    // variants: fp16 / int8 versions of the downloaded models, written by run.sh (scripts/variants/)
    const base = dir === 'models' ? modelsDir : dir === 'generated' ? genDir
      : dir === 'variants' ? path.join(modelsDir, '..', 'variants') : dir;
    if (!path.isAbsolute(base) && !['models', 'generated', 'variants'].includes(dir)) bad(`${where}: "dir" must be models, generated, variants or an absolute folder`);
    return { ...r, group: r.group || r.name, file: path.join(base, r.model), dynamic: r.dynamic ?? null };
  });
}

// "a:1,2;b:3,4", the shape syntax of gearatc/gearbench and ort_side.js
const shapeSpec = spec => Object.entries(spec).map(([n, d]) => `${n}:${d.join(',')}`).join(';');
const shapeLabel = spec => Object.values(spec).map(d => d.join('x')).join('+');

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

// .om files: one static gear at the row's shapes, and one dynamic model per model file and dynamic spec.
function compileModels() {
  fs.mkdirSync(workDir, { recursive: true });
  const dynamicDone = new Map();
  for (const row of rows) {
    if (!fs.existsSync(row.file)) {
      if (!row.generate) throw new Error(`${row.name}: ${row.file} missing (scripts/fetch-models.sh for the PP-OCR models)`);
      // python3-onnx and numpy from Debian: the interpreter in /usr/bin (a python3 earlier on PATH may lack them)
      const python = process.env.BENCH_PYTHON || '/usr/bin/python3';
      process.stderr.write(`generating ${row.file}\n`);
      run(python, [path.join(__dirname, '..', 'models', 'make_models.py'), path.dirname(row.file), row.generate],
          { stdio: ['ignore', 'inherit', 'pipe'] });
      if (!fs.existsSync(row.file)) throw new Error(`${row.name}: make_models.py ${row.generate} did not write ${row.file}`);
    }
    row.staticOm = path.join(workDir, `${row.name}_static`);
    run(gearatc, [`--model=${row.file}`, '--framework=5', `--input_shape=${shapeSpec(row.inputs)}`,
                  `--output=${row.staticOm}`]);
    if (!row.dynamic) continue;
    const key = `${row.file}|${shapeSpec(row.dynamic)}`;
    if (dynamicDone.has(key)) { row.dynamicOm = dynamicDone.get(key); continue; }
    row.dynamicOm = path.join(workDir, `${row.name}_dynamic`);
    run(gearatc, [`--model=${row.file}`, '--framework=5', `--input_shape=${shapeSpec(row.dynamic)}`,
                  `--output=${row.dynamicOm}`]);
    dynamicDone.set(key, row.dynamicOm);
  }
}

function gearbenchSide(row, threads, dynamic) {
  const json = path.join(workDir, 'gearbench.json');
  const args = [`--model=${(dynamic ? row.dynamicOm : row.staticOm)}.om`, `--threads=${threads}`,
                `--loop=${Math.round(row.iters * itersScale)}`, `--warmup=${row.warmup}`, `--json=${json}`];
  if (dynamic) args.push(`--gear=${shapeSpec(row.inputs)}`);
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
  const r = run('node', [path.join(__dirname, 'ort_side.js'), row.file, shapeSpec(row.inputs),
                         String(threads), String(row.warmup), String(Math.round(row.iters * itersScale))],
                { env: { ...process.env, ORT_NODE: ortPackage } });
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  return { mean: j.mean_ms, p99: j.p99_ms, cold: j.load_ms + j.first_ms, peak: j.peak_rss_bytes,
           idle: j.idle_rss_bytes };
}

function measure() {
  const samples = {}; // key -> {static: [], dynamic: [], ort: [], load: []}
  for (let rep = 0; rep < reps; ++rep) {
    for (const threads of threadList) {
      for (const row of rows) {
        const key = `${row.name}|${threads}`;
        const s = samples[key] ??= { row, threads, static: [], dynamic: [], ort: [], load: [] };
        const sides = [
          () => s.static.push(gearbenchSide(row, threads, false)),
          () => s.ort.push(ortSide(row, threads)),
        ];
        if (row.dynamicOm) sides.push(() => s.dynamic.push(gearbenchSide(row, threads, true)));
        if (rep % 2) sides.reverse();
        s.load.push(os.loadavg()[0]);
        for (const side of sides) side();
        const dyn = row.dynamicOm ? ` dynamic ${s.dynamic.at(-1).mean.toFixed(2)}` : '';
        process.stderr.write(`rep ${rep + 1}/${reps} ${row.name} t${threads}: static ${s.static.at(-1).mean.toFixed(2)} ` +
                             `ort ${s.ort.at(-1).mean.toFixed(2)}${dyn} ms (ratio ` +
                             `${(s.static.at(-1).mean / s.ort.at(-1).mean).toFixed(2)}, load ${s.load.at(-1).toFixed(1)})\n`);
      }
    }
  }
  return Object.values(samples);
}

function summarise(list) {
  return list.map(s => {
    const m = (xs, f) => (xs.length ? median(xs.map(f)) : null);
    const out = {
      model: s.row.name, shape: shapeLabel(s.row.inputs), threads: s.threads, reps: s.static.length,
      load: { min: Math.min(...s.load), max: Math.max(...s.load) },
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
    const rr = (a, b) => (a.length && b.length ? median(a.map((x, i) => x / b[i])) : null);
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

// 2 threads over 1 thread, per row, from the static gear's medians (when both thread counts ran).
function speedups(results) {
  const out = {};
  for (const r of results) {
    if (r.threads !== 1) continue;
    const two = results.find(x => x.model === r.model && x.threads === 2);
    if (two) out[r.model] = r.static.mean_ms / two.static.mean_ms;
  }
  return out;
}

function printTable(results) {
  const f = (v, d = 2) => (v == null ? '-' : v.toFixed(d));
  const mib = b => (b == null ? '-' : (b / 1048576).toFixed(1));
  const gain = speedups(results);
  const head = ['model', 'shape', 'thr', 'GS mean', 'ORT mean', 'ratio', 'GS p99', 'ORT p99', 'ratio',
                'GS MiB', 'ORT MiB', 'ratio', 'GS cold', 'ORT cold', 'ratio', 'dyn mean', 'dyn/ORT', 'stat/dyn', 'GFLOP/s',
                '% peak', 't1/t2', 'load'];
  const body = results.map(r => [r.model, r.shape, String(r.threads), f(r.static.mean_ms), f(r.ort.mean_ms), f(r.ratio.mean),
                                 f(r.static.p99_ms), f(r.ort.p99_ms), f(r.ratio.p99), mib(r.static.mem_bytes),
                                 mib(r.ort.mem_bytes), f(r.ratio.mem), f(r.static.cold_ms, 1), f(r.ort.cold_ms, 1),
                                 f(r.ratio.cold), f(r.dynamic.mean_ms), f(r.ratio.dynamic_vs_ort),
                                 f(r.ratio.static_vs_dynamic), f(r.static.gflops_per_s, 1),
                                 f(r.static.peak_share_pct, 1), r.threads === 2 ? f(gain[r.model]) : '',
                                 `${r.load.min.toFixed(1)}-${r.load.max.toFixed(1)}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map(b => b[i].length)));
  const line = cells => '| ' + cells.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + widths.map(w => '-'.repeat(w + 1) + ':').join('|') + '|');
  for (const b of body) console.log(line(b));
  console.log(`\ntimes in ms (medians over ${reps} repetitions); memory: peak RSS above each side's idle process ` +
              '(gearbench: the same process before it read the model; node: binding loaded, no session); cold: model file ' +
              'read + session creation + first inference; GFLOP/s and % peak: the static gear against the cached FMA ' +
              'peak for those threads (gearbench roofline); t1/t2: the static gear\'s 1-thread over 2-thread mean; ' +
              'load: 1-minute load average when the row\'s repetitions started; ' +
              'ratios: medians of the per-repetition GearStudio / ONNX Runtime ratios');
  const load = os.loadavg();
  console.log(`gearbench OMP_WAIT_POLICY: ${gsWait}; ONNX Runtime: its defaults`);
  console.log(`load average at the end of the run: ${load.map(x => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
}

try {
  compileModels();
  const results = summarise(measure());
  printTable(results);
  if (process.env.JSON) {
    fs.writeFileSync(process.env.JSON, JSON.stringify({ reps, speedup_t1_over_t2: speedups(results), results }, null, 2) + '\n');
  }
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
