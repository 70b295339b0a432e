// What the reference runners (tfjs-reference.mjs, onnx-reference.mjs) share: their command line,
// and reading and writing .npy files (little-endian, C order), with types named as TensorFlow.js
// and ONNX Runtime name them: float32, int32, bool, uint8.
import fs from 'node:fs';

// --modules DIR --model FILE --out DIR, --input NAME=FILE.npy and --output NAME (repeatable).
export function parseArguments(argv) {
  const options = { inputs: [], outputs: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === '--modules') options.modules = value;
    else if (key === '--model') options.model = value;
    else if (key === '--out') options.out = value;
    else if (key === '--output') options.outputs.push(value);
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

const npyTypes = {
  '<f4': { dtype: 'float32', array: Float32Array },
  '<i4': { dtype: 'int32', array: Int32Array },
  '|b1': { dtype: 'bool', array: Uint8Array },
  '|u1': { dtype: 'uint8', array: Uint8Array },
};

// { shape, dtype, values } with `values` a typed array of the file's element type.
export function readNpy(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', start, start + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim())
    .filter((s) => s.length > 0).map(Number);
  const type = npyTypes[descr];
  if (!type) throw new Error(`${file}: element type ${descr} is not supported`);
  const data = bytes.subarray(start + headerLength);
  const copy = new Uint8Array(data).buffer;  // aligned
  return { shape, dtype: type.dtype, values: new type.array(copy) };
}

export function writeNpy(file, shape, dtype, values) {
  const types = { float32: ['<f4', Float32Array], int32: ['<i4', Int32Array], bool: ['|b1', Uint8Array] };
  if (!types[dtype]) throw new Error(`output of type ${dtype} cannot be written`);
  const [descr, array] = types[dtype];
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const typed = values instanceof array ? values : array.from(values);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'),
    Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength)]));
}
