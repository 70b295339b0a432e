#!/usr/bin/env node
// Runs an ONNX model on ONNX Runtime's CPU engine and writes its outputs as .npy files: the
// reference edgesight's ONNX conversions are compared with.
//
//   node scripts/onnx-reference.mjs --modules DIR --model model.onnx \
//        --input NAME=in.npy [--input NAME=in2.npy] [--output NAME ...] --out DIR
//
// --modules: the folder whose node_modules holds onnxruntime-node (scripts/fetch-test-models.sh
// installs it from scripts/onnxruntime/package.json). Each output named (default: every output of
// the model) is written to DIR/NAME.npy. Graph optimizations are left off, so that ONNX Runtime computes the graph as
// written.
import path from 'node:path';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { parseArguments, readNpy, writeNpy } from './reference-io.mjs';

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const require = createRequire(path.join(path.resolve(options.modules), 'package.json'));
  const ort = require('onnxruntime-node');
  const session = await ort.InferenceSession.create(options.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
  });
  const feeds = {};
  for (const input of options.inputs) {
    const array = readNpy(input.file);
    feeds[input.name] = new ort.Tensor(array.dtype, array.values, array.shape);
  }
  const results = await session.run(feeds);
  fs.mkdirSync(options.out, { recursive: true });
  for (const name of options.outputs.length > 0 ? options.outputs : session.outputNames) {
    const tensor = results[name];
    writeNpy(path.join(options.out, `${name}.npy`), tensor.dims, tensor.type, tensor.data);
  }
}

main().catch((error) => {
  console.error(`onnx-reference: ${error.message || error}`);
  process.exit(1);
});
