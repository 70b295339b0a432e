#!/usr/bin/env node
// The table of scripts/bench-peers.sh: reads the manifest of its runs and prints, per model and
// mode, each engine's throughput and latency with the ratios edgesight/peer, then the geometric
// means of those throughput ratios per kind of model and overall.
//
//   node scripts/peers/report.mjs MANIFEST.tsv --threads N --time S
//        [--edgesight-version TEXT] [--load-before LOAD] [--json FILE]
//
// --load-before: the 1-minute load average when the runs began, printed beside the one at the
// end: other work on the machine makes every number slower and noisier.
//
// MANIFEST.tsv: one run a line, tab-separated: model, mode, engine, note, exit code, the path
// prefix of its PREFIX.out (the engine's JSON) and PREFIX.err, the model's file, its kind (onnx,
// tf, ir) and a note on the model. A run note "compat PREFIX" marks an OpenCV run on the
// rewritten graph, PREFIX being the run that failed on the model as exported; "twin without
// LAYERS" an ONNX Runtime run on an ONNX twin that leaves out those layers.
import fs from 'node:fs';
import os from 'node:os';

const engines = ['edgesight', 'onnxruntime', 'opencv-dnn'];
const peers = [['onnxruntime', 'ORT'], ['opencv-dnn', 'OpenCV']];
const kinds = [['onnx', 'ONNX models'], ['tf', 'converted TF graphs'], ['ir', 'IRs']];

function parseArguments(argv) {
  const options = { manifest: argv[0], edgesightVersion: '' };
  for (let i = 1; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === '--threads') options.threads = Number(value);
    else if (key === '--time') options.time = Number(value);
    else if (key === '--edgesight-version') options.edgesightVersion = value;
    else if (key === '--json') options.json = value;
    else if (key === '--load-before') options.loadBefore = value;
    else throw new Error(`unknown option ${key}`);
  }
  if (!options.manifest) throw new Error('MANIFEST is required');
  return options;
}

const readText = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

// The engine's JSON object: the whole output, or its last line that parses.
function parseResult(text) {
  try {
    return JSON.parse(text);
  } catch {
    for (const line of text.trim().split('\n').reverse()) {
      try {
        return JSON.parse(line);
      } catch { /* not this line */ }
    }
  }
  return undefined;
}

function reasonOf(prefix, rc, modelPath) {
  const lines = readText(`${prefix}.err`).split('\n').map((line) => line.trim()).filter(Boolean);
  const error = lines.filter((line) => line.startsWith('error:')).pop() ?? lines.pop();
  if (!error) return `exit code ${rc}, no message`;
  let reason = error.replace(/^error:\s*/, '');
  if (modelPath) {
    reason = reason.split(` ${modelPath}: `).join(': ').split(`${modelPath}: `).join('');
  }
  return reason;
}

// One entry per model, mode and engine: the result, or why there is none.
function collect(manifest) {
  const entries = new Map();
  const lines = readText(manifest).split('\n').filter(Boolean);
  for (const line of lines) {
    const [model, mode, engine, note, rcText, prefix, modelPath, kind, modelNote] =
      line.split('\t');
    const rc = Number(rcText);
    const key = `${model}\t${mode}\t${engine}`;
    const result = rc === 0 ? parseResult(readText(`${prefix}.out`)) : undefined;
    const entry = { model, kind: kind || 'onnx', mode, engine };
    if (modelNote) entry.model_note = modelNote;
    if (note.startsWith('twin without ')) entry.twin_without = note.slice('twin without '.length);
    if (result && typeof result.throughput_fps === 'number') entry.result = result;
    else if (rc === 0) entry.reason = 'its output has no throughput_fps';
    else entry.reason = reasonOf(prefix, rc, modelPath);
    if (note.startsWith('compat ')) {
      entry.rewritten = true;
      entry.rejected_as_exported = reasonOf(note.slice('compat '.length), 1, modelPath);
      if (!entry.result)
        entry.reason = `as exported: ${entry.rejected_as_exported}; rewritten: ${entry.reason}`;
    }
    const previous = entries.get(key);
    if (!previous || !previous.result) entries.set(key, entry);
  }
  return [...entries.values()];
}

const ratio = (a, b) =>
  (a?.result && b?.result ? a.result.throughput_fps / b.result.throughput_fps : undefined);

function geometricMean(values) {
  if (values.length === 0) return undefined;
  return Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);
}

function format(value, digits = 1) {
  if (value === undefined) return '-';
  if (value >= 1000) return value.toFixed(0);
  return value.toFixed(value < 10 ? Math.max(digits, 2) : digits);
}

function printTable(entries, options) {
  const models = [...new Set(entries.map((entry) => entry.model))];
  const find = (model, mode, engine) =>
    entries.find((e) => e.model === model && e.mode === mode && e.engine === engine);
  // Each row: the model, mode and engine, then either the numbers or why there are none.
  const rows = [];
  const notes = [];
  // ratios[peer][kind][mode]: the throughput ratios edgesight/peer.
  const ratios = Object.fromEntries(peers.map(([peer]) => [peer, Object.fromEntries(
    kinds.map(([kind]) => [kind, { latency: [], throughput: [] }]))]));
  for (const model of models) {
    for (const mode of ['latency', 'throughput']) {
      const edgesight = find(model, mode, 'edgesight');
      for (const engine of engines) {
        const entry = find(model, mode, engine);
        if (!entry) continue;
        const mark = (entry.rewritten ? '\u2020' : '') + (entry.twin_without ? '\u2021' : '');
        const lead = [model, mode, engine + mark];
        if (entry.twin_without) {
          const note = `\u2021 ${model}: ONNX Runtime runs the ONNX twin without ` +
                       `${entry.twin_without} (no ONNX op), which edgesight runs`;
          if (!notes.includes(note)) notes.push(note);
        }
        if (entry.rewritten) {
          const counts = entry.result?.rewrites;
          const parts = [];
          if (counts?.clip_bounds_to_attributes)
            parts.push(`${counts.clip_bounds_to_attributes} Clip nodes with bounds as attributes`);
          if (counts?.constant_identities_removed)
            parts.push(`${counts.constant_identities_removed} Identity nodes of constants removed`);
          const what = parts.join(', ') ||
                       'Clip bounds as attributes and Identity nodes of constants removed';
          const note = `\u2020 ${model}: OpenCV rejects the model as exported ` +
                       `(${entry.rejected_as_exported}); measured on the same network ` +
                       `rewritten: ${what}`;
          if (!notes.includes(note)) notes.push(note);
        }
        if (!entry.result) {
          const message = entry.reason.startsWith('n/a') ? entry.reason : `not run: ${entry.reason}`;
          rows.push({ lead, message });
          continue;
        }
        const latency = entry.result.latency_ms ?? {};
        const cells = [format(entry.result.throughput_fps), format(latency.median),
                       format(latency.p90)];
        if (engine === 'edgesight') {
          for (const [peer] of peers) {
            const value = ratio(edgesight, find(model, mode, peer));
            cells.push(value === undefined ? '-' : `${value.toFixed(2)}x`);
            if (value !== undefined) ratios[peer][entry.kind][mode].push(value);
          }
        }
        rows.push({ lead, cells });
      }
    }
  }

  const header = { lead: ['model', 'mode', 'engine'],
                   cells: ['inf/s', 'median ms', 'p90 ms', 'es/ORT', 'es/OpenCV'] };
  const widths = [];
  for (const row of [header, ...rows])
    [...row.lead, ...(row.cells ?? [])].forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  let previous = ['', ''];
  const lines = [header, ...rows].map((row) => {
    // The model and the mode are printed where they change.
    const lead = [...row.lead];
    if (row !== header) {
      if (lead[0] === previous[0]) {
        lead[0] = '';
        if (lead[1] === previous[1]) lead[1] = '';
      }
      previous = row.lead;
    }
    const left = lead.map((cell, i) => cell.padEnd(widths[i])).join('  ');
    if (row.message) return `${left}  ${row.message}`;
    const right = row.cells.map((cell, i) => cell.padStart(widths[i + 3])).join('  ');
    return `${left}  ${right}`.trimEnd();
  });
  lines.splice(1, 0, '-'.repeat(widths.reduce((sum, width) => sum + width + 2, -2)));

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const versionOf = (engine) =>
    entries.find((e) => e.engine === engine && e.result)?.result.version;
  console.log(`\nedgesight vs peers: ${options.threads} threads, ${options.time} s per run, ` +
              `${cpu} (${os.cpus().length} logical cores)`);
  // The runs themselves add up to --threads to the load average at the end.
  const loadAfter = os.loadavg()[0];
  const busy = Number(options.loadBefore) > 0.5 || loadAfter > options.threads + 0.5;
  console.log(`1-minute load average: ${options.loadBefore ?? '?'} before the runs, ` +
              `${loadAfter.toFixed(2)} after` +
              (busy ? ' (other work was running: timings are slower and noisier than idle)' : ''));
  console.log(`${options.edgesightVersion || 'edgesight'}; ONNX Runtime ` +
              `${versionOf('onnxruntime') ?? '?'} (onnxruntime-node, CPU); OpenCV ` +
              `${versionOf('opencv-dnn') ?? '?'} DNN (default backend, CPU)`);
  console.log('es/ORT, es/OpenCV: edgesight throughput / the peer\'s; ' +
              'above 1: edgesight is faster\n');
  console.log(lines.join('\n'));
  for (const note of notes) console.log(note);
  for (const model of models) {
    const note = entries.find((entry) => entry.model === model && entry.model_note)?.model_note;
    if (note) console.log(`${model}: ${note}`);
  }

  // values: { latency: [...], throughput: [...] } ratios.
  const summarize = (values) => ({
    latency: geometricMean(values.latency),
    throughput: geometricMean(values.throughput),
    all: geometricMean([...values.latency, ...values.throughput]),
    count: values.latency.length + values.throughput.length,
  });
  const text = (ratioList) => {
    const mean = geometricMean(ratioList);
    return mean === undefined ? 'n/a' : `${mean.toFixed(2)}x (${ratioList.length})`;
  };
  const print = (label, values) =>
    console.log(`    ${label.padEnd(20)}  latency mode ${text(values.latency)}, ` +
                `throughput mode ${text(values.throughput)}, ` +
                `all ${text([...values.latency, ...values.throughput])}`);
  const geomean = {};
  console.log('\ngeometric mean of the throughput ratios edgesight/peer:');
  for (const [peer, label] of peers) {
    console.log(`  edgesight/${label}:`);
    const all = { latency: [], throughput: [] };
    const byKind = {};
    for (const [kind, kindLabel] of kinds) {
      const values = ratios[peer][kind];
      all.latency.push(...values.latency);
      all.throughput.push(...values.throughput);
      byKind[kind] = summarize(values);
      if (byKind[kind].count > 0) print(kindLabel, values);
    }
    geomean[peer] = { ...summarize(all), by_kind: byKind };
    print('all models', all);
  }
  if (!entries.some((entry) => entry.engine === 'edgesight' && entry.result))
    console.log('  (no ratio: edgesight was not measured)');
  return geomean;
}

function main() {
  const options = parseArguments(process.argv.slice(2));
  const entries = collect(options.manifest);
  const geomean = printTable(entries, options);
  if (options.json) {
    const report = {
      machine: {
        cpu: os.cpus()[0]?.model,
        logical_cores: os.cpus().length,
        platform: `${os.platform()} ${os.release()}`,
      },
      threads: options.threads,
      time_s: options.time,
      load_average_1m: { before: Number(options.loadBefore), after: os.loadavg()[0] },
      edgesight_version: options.edgesightVersion || null,
      results: entries,
      geomean_throughput_ratio: geomean,
    };
    fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${options.json}`);
  }
}

main();
