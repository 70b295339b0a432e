#!/usr/bin/env node
// Runs an ONNX model on ONNX Runtime's CPU engine and writes its outputs as .npy files: the
// reference edgesight's ONNX conversions are compared with.
//
//   node scripts/onnx-reference.mjs --modules DIR --model model.onnx \
//        --input NAME=in.npy [--input NAME=in2.npy] --out DIR
//
// --modules: the folder whose node_modules holds onnxruntime-node (scripts/fetch-test-models.sh
// installs it from scripts/onnxruntime/package.json). Every output of the model is written to
// DIR/NAME.npy. Graph optimizations are left off, so that ONNX Runtime computes the graph as
// written.
import path from 'node:path';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { readNpy, writeNpy } from './npy.mjs';

function parseArguments(argv) {
  const options = { inputs: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === '--modules') options.modules = value;
    else if (key === '--model') options.model = value;
    else if (key === '--out') options.out = value;
    else if (key === '--input') {
      const equals = value.lastIndexOf('=');
      if (equals < 0) throw new Error(`--input ${value}: expected NAME=FILE.npy`);
      options.inputs.push({ name: value.slice(0, equals), file: value.slice(equals + 1) });
    } else throw new Error(`unknown option ${key}`);
  }
  for (const key of ['modules', 'model', 'out'])
    if (!options[key]) throw new Error(`--${key} is required`);
  return options;
}

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
  for (const name of session.outputNames) {
    const tensor = results[name];
    writeNpy(path.join(options.out, `${name}.npy`), tensor.dims, tensor.type, tensor.data);
  }
}

main().catch((error) => {
  console.error(`onnx-reference: ${error.message || error}`);
  process.exit(1);
});
