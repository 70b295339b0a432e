#!/usr/bin/env node
// Runs a TF.js graph model on TensorFlow.js's pure-JS CPU backend and writes its outputs as
// .npy files: the reference edgesight's TF.js conversions are compared with.
//
//   node scripts/tfjs-reference.mjs --modules DIR --model model.json \
//        --input NAME=in.npy [--input NAME=in2.npy] --output NAME [--output NAME] --out DIR
//
// --modules: the folder whose node_modules holds @tensorflow/tfjs-{core,converter,backend-cpu}
// (scripts/fetch-test-models.sh installs them from scripts/tfjs/package.json). Output i is written
// to DIR/output_i.npy, in --output order.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArguments, readNpy, writeNpy } from './reference-io.mjs';

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const require = createRequire(path.join(path.resolve(options.modules), 'package.json'));
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  const converter = require('@tensorflow/tfjs-converter');
  await tf.setBackend('cpu');

  const model = JSON.parse(fs.readFileSync(options.model, 'utf8'));
  const directory = path.dirname(options.model);
  const weightSpecs = [];
  const shards = [];
  for (const group of model.weightsManifest || []) {
    for (const shard of group.paths) shards.push(fs.readFileSync(path.join(directory, shard)));
    weightSpecs.push(...group.weights);
  }
  const weights = Buffer.concat(shards);
  const handler = {
    load: async () => ({
      modelTopology: model.modelTopology,
      format: model.format,
      generatedBy: model.generatedBy,
      convertedBy: model.convertedBy,
      signature: model.signature,
      userDefinedMetadata: model.userDefinedMetadata,
      modelInitializer: model.modelInitializer,
      weightSpecs,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  };
  const graphModel = await converter.loadGraphModel(handler);

  const feeds = {};
  for (const input of options.inputs) {
    const array = readNpy(input.file);
    // TF.js holds uint8 inputs (DT_UINT8 placeholders) as int32.
    feeds[input.name] = array.dtype === 'uint8'
      ? tf.tensor(Int32Array.from(array.values), array.shape, 'int32')
      : tf.tensor(array.values, array.shape, array.dtype);
  }
  const names = options.outputs.length > 0 ? options.outputs
    : graphModel.outputs.map((output) => output.name);
  let results = await graphModel.executeAsync(feeds, names);
  if (!Array.isArray(results)) results = [results];
  fs.mkdirSync(options.out, { recursive: true });
  for (let i = 0; i < results.length; ++i) {
    const values = await results[i].data();
    writeNpy(path.join(options.out, `output_${i}.npy`), results[i].shape, results[i].dtype, values);
  }
}

main().catch((error) => {
  console.error(`tfjs-reference: ${error.message || error}`);
  process.exit(1);
});
