#!/usr/bin/env node
// ONNX Runtime's CPU engine (npm onnxruntime-node) as a peer for scripts/bench-peers.sh: runs an
// ONNX model and prints one JSON line with throughput and latency percentiles.
//
//   node scripts/peers/ort-bench.mjs MODEL --threads N --mode latency|throughput --time S
//        [--shape NAME=D0,D1,...]... [--modules DIR]
//   node scripts/peers/ort-bench.mjs MODEL --inputs [--modules DIR]
//
// latency: one session with intraOpNumThreads N, interOpNumThreads 1, sequential execution,
//   one request at a time.
// throughput: N worker threads, each with its own session (intraOpNumThreads 1) running requests
//   back to back: N streams of one thread. onnxruntime-node runs a request synchronously on the
//   JavaScript thread that calls it, so parallel requests need one thread (and session) each.
// Both: graphOptimizationLevel 'all', CPU execution provider, 2 warm-up runs per session.
// --inputs prints the model's inputs ({name, type, dims}, -1 for a dynamic dimension) and exits.
// --modules: the folder whose node_modules holds onnxruntime-node (default build/peers, where
// bench-peers.sh installs scripts/peers/package.json).
//
// Float32 inputs are filled by the same xorshift32 sequence as benchmarks/opencv_dnn_bench.cpp
// (uniform in [-1, 1), seed 1 for the first input); int32 and uint8 inputs by that sequence
// mapped onto 0..255, as pixels. Exit codes: 0 ok, 1 ONNX Runtime failed,
// 2 bad arguments.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const warmUpRuns = 2;
const here = path.dirname(fileURLToPath(import.meta.url));

class BadArgument extends Error {}

function parseArguments(argv) {
  const options = {
    threads: 1, mode: 'latency', time: 10, shapes: {}, inputs: false,
    modules: path.resolve(here, '../../build/peers'),
  };
  const positive = (key, value) => {
    const number = Number(value);
    if (!(number > 0)) throw new BadArgument(`${key} ${value}: expected a positive number`);
    return number;
  };
  for (let i = 0; i < argv.length; ++i) {
    const key = argv[i];
    if (key === '--inputs') { options.inputs = true; continue; }
    if (!key.startsWith('--')) {
      if (options.model) throw new BadArgument(`unexpected argument ${key}`);
      options.model = key;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new BadArgument(`${key} needs a value`);
    if (key === '--threads') options.threads = Math.trunc(positive(key, value));
    else if (key === '--time') options.time = positive(key, value);
    else if (key === '--modules') options.modules = value;
    else if (key === '--mode') {
      if (value !== 'latency' && value !== 'throughput')
        throw new BadArgument(`--mode ${value}: expected latency or throughput`);
      options.mode = value;
    } else if (key === '--shape') {
      const equals = value.lastIndexOf('=');
      const dims = value.slice(equals + 1).split(',').map(Number);
      if (equals <= 0 || dims.some((dim) => !Number.isInteger(dim) || dim <= 0))
        throw new BadArgument(`--shape ${value}: expected NAME=D0,D1,... with positive dimensions`);
      options.shapes[value.slice(0, equals)] = dims;
    } else throw new BadArgument(`unknown option ${key}`);
  }
  if (!options.model) throw new BadArgument('MODEL is required');
  return options;
}

function loadOrt(modules) {
  try {
    return createRequire(path.join(path.resolve(modules), 'package.json'))('onnxruntime-node');
  } catch (error) {
    throw new BadArgument(`onnxruntime-node not found under ${modules}/node_modules ` +
                          `(scripts/bench-peers.sh installs it): ${error.message}`);
  }
}

function inputsOf(session) {
  return session.inputMetadata.map((input) => ({
    name: input.name,
    type: input.type,
    dims: (input.shape ?? []).map((dim) => (typeof dim === 'number' && dim > 0 ? dim : -1)),
  }));
}

// xorshift32 mapped to [-1, 1); the same sequence as opencv_dnn_bench.cpp.
function randomValues(count, seed) {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; ++i) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    values[i] = (state >>> 8) * (2 / 16777216) - 1;
  }
  return values;
}

// Integer inputs get the same sequence as pixel values, 0..255.
const pixelArrays = { int32: Int32Array, uint8: Uint8Array };

function makeFeeds(ort, session, shapes) {
  const feeds = {};
  inputsOf(session).forEach((input, index) => {
    const dims = shapes[input.name] ?? input.dims;
    if (dims.some((dim) => dim < 0))
      throw new BadArgument(`input ${input.name} has dynamic dimensions [${input.dims}]: ` +
                            `pass --shape ${input.name}=D0,D1,...`);
    const count = dims.reduce((a, b) => a * b, 1);
    const values = randomValues(count, index + 1);
    if (input.type === 'float32') {
      feeds[input.name] = new ort.Tensor('float32', values, dims);
    } else if (input.type in pixelArrays) {
      const pixels = pixelArrays[input.type].from(values, (value) => Math.floor((value + 1) * 128));
      feeds[input.name] = new ort.Tensor(input.type, pixels, dims);
    } else {
      throw new BadArgument(`input ${input.name} is ${input.type}; only float32 and integer ` +
                            'inputs are filled');
    }
  });
  for (const name of Object.keys(shapes))
    if (!(name in feeds)) throw new BadArgument(`--shape ${name}: the model has no such input`);
  return feeds;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// Creates a session, fills its inputs and warms it up; `run` then measures until a deadline.
async function prepareStream(options, threadsPerStream) {
  const ort = loadOrt(options.modules);
  const loadBegin = nowMs();
  const session = await ort.InferenceSession.create(options.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threadsPerStream,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const loadMs = nowMs() - loadBegin;
  const feeds = makeFeeds(ort, session, options.shapes);
  const firstBegin = nowMs();
  await session.run(feeds);
  const firstInferenceMs = nowMs() - firstBegin;
  for (let run = 1; run < warmUpRuns; ++run) await session.run(feeds);
  const run = async (deadline) => {
    const latencies = [];
    let now = nowMs();
    while (now < deadline) {
      const begin = now;
      await session.run(feeds);
      now = nowMs();
      latencies.push(now - begin);
    }
    return { latencies, end: now };
  };
  return { loadMs, firstInferenceMs, run, version: ort.env.versions?.node ?? 'unknown' };
}

function runWorkerStream() {
  const { options } = workerData;
  prepareStream(options, 1).then((stream) => {
    parentPort.postMessage({ ready: true, loadMs: stream.loadMs,
                             firstInferenceMs: stream.firstInferenceMs, version: stream.version });
    parentPort.once('message', async ({ deadline }) => {
      if (deadline !== undefined) parentPort.postMessage(await stream.run(deadline));
      parentPort.close();
    });
  }).catch((error) => {
    parentPort.postMessage({ error: error.message, bad: error instanceof BadArgument });
    parentPort.close();
  });
}

const nextMessage = (worker) => new Promise((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});

// Every stream is loaded and warmed up before any starts, and all get the same deadline.
async function measureThroughput(options) {
  const workers = [];
  for (let stream = 0; stream < options.threads; ++stream)
    workers.push(new Worker(fileURLToPath(import.meta.url), { workerData: { options } }));
  const exited = workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
  const streams = await Promise.allSettled(workers.map(nextMessage));
  const failed = streams.find((s) => s.status === 'rejected' || s.value.error);
  if (failed) {
    for (const worker of workers) worker.postMessage({});
    await Promise.all(exited);
    if (failed.status === 'rejected') throw failed.reason;
    throw failed.value.bad ? new BadArgument(failed.value.error) : new Error(failed.value.error);
  }
  const results = workers.map(nextMessage);
  const start = nowMs();
  for (const worker of workers) worker.postMessage({ deadline: start + options.time * 1000 });
  const runs = await Promise.all(results);
  await Promise.all(exited);
  const ready = streams.map((s) => s.value);
  return {
    start, runs, version: ready[0].version,
    loadMs: ready.reduce((sum, stream) => sum + stream.loadMs, 0),
    firstInferenceMs: ready.reduce((sum, s) => sum + s.firstInferenceMs, 0) / ready.length,
  };
}

async function measureLatency(options) {
  const stream = await prepareStream(options, options.threads);
  const start = nowMs();
  const run = await stream.run(start + options.time * 1000);
  return { start, runs: [run], version: stream.version, loadMs: stream.loadMs,
           firstInferenceMs: stream.firstInferenceMs };
}

// Nearest-rank percentile of sorted values, as opencv_dnn_bench.cpp computes it.
function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

async function benchmark(options) {
  const throughput = options.mode === 'throughput';
  const measured = throughput ? await measureThroughput(options) : await measureLatency(options);
  const latencies = measured.runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const end = Math.max(measured.start, ...measured.runs.map((run) => run.end));
  const durationS = (end - measured.start) / 1000;
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(latencies.length, 1);
  return {
    engine: 'onnxruntime',
    version: measured.version,
    model: options.model,
    mode: options.mode,
    threads: options.threads,
    streams: throughput ? options.threads : 1,
    threads_per_stream: throughput ? 1 : options.threads,
    shapes: options.shapes,
    load_ms: measured.loadMs,
    first_inference_ms: measured.firstInferenceMs,
    iterations: latencies.length,
    duration_s: durationS,
    throughput_fps: durationS > 0 ? latencies.length / durationS : 0,
    latency_ms: {
      median: percentile(latencies, 50), p90: percentile(latencies, 90),
      p99: percentile(latencies, 99), min: latencies[0] ?? 0,
      max: latencies[latencies.length - 1] ?? 0, mean,
    },
  };
}

async function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
    if (options.inputs) {
      const ort = loadOrt(options.modules);
      const session = await ort.InferenceSession.create(options.model);
      console.log(JSON.stringify(inputsOf(session)));
      return 0;
    }
    console.log(JSON.stringify(await benchmark(options)));
    return 0;
  } catch (error) {
    const message = String(error.message).split('\n').filter((line) => line.trim()).join(' ');
    console.error(`error: ${options?.model ? `${options.model}: ` : ''}${message}`);
    return error instanceof BadArgument ? 2 : 1;
  }
}

if (isMainThread) process.exitCode = await main();
else runWorkerStream();
