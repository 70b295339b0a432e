#!/usr/bin/python3
"""Checks that the ONNX twin of an IR (written by ../shared/tools/ir2onnx) computes what
edgesight computes from the IR, before ONNX Runtime is timed on it for scripts/bench-peers.sh.

  /usr/bin/python3 scripts/peers/twin_check.py MODEL.xml TWIN.onnx --edgesight BIN
      --run-ort RUN_ORT_JS --modules DIR --work DIR [--tolerance 1e-3]

Both engines get the same random input (float inputs uniform in [-1, 1), integer ones 0..255):
`edgesight infer` on the IR, run_ort.js with onnxruntime-node (from DIR/node_modules) on the
twin. Every twin output (for a DetectionOutput ir2onnx cut, its inputs, which edgesight then
writes through --add-output) is compared with edgesight's: the largest |difference| over the
range of ONNX Runtime's values must stay within the tolerance. Prints one line, "ok: ..." with
exit code 0, or "error: ..." with exit code 1.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np


INTEGER_TYPES = {'u8': np.uint8, 'i32': np.int32, 'i64': np.int64}


class TwinError(Exception):
    pass


def make_inputs(side, work):
    random = np.random.default_rng(1)
    arguments = []
    for index, entry in enumerate(side['inputs']):
        name, shape = entry['name'], entry['shape']
        if not all(isinstance(dim, int) and dim > 0 for dim in shape):
            raise TwinError(f"input {name} has dynamic dimensions {shape}")
        element_type = entry['ir_element_type']
        if element_type in ('f32', 'f16', 'f64'):
            value = random.uniform(-1, 1, shape).astype(np.float32)
        elif element_type in INTEGER_TYPES:
            value = random.integers(0, 256, shape).astype(INTEGER_TYPES[element_type])
        else:
            raise TwinError(f"input {name} is {element_type}; no random values for it")
        path = os.path.join(work, f'input{index}.npy')
        np.save(path, value)
        arguments.append(f'{name}={path}')
    return arguments


def edgesight_name(xml_root, layer_name, port_id):
    """The name edgesight gives an output port: its first tensor name, else the layer's name
    (with ".k" for the k-th of several outputs)."""
    layer = next((layer for layer in xml_root.iter('layer') if layer.get('name') == layer_name),
                 None)
    if layer is None:
        raise TwinError(f"the IR has no layer '{layer_name}'")
    ports = layer.findall('./output/port')
    for index, port in enumerate(ports):
        if int(port.get('id')) == port_id:
            names = port.get('names', '')
            if names:
                return re.split(r'(?<!\\),', names)[0].replace('\\,', ',')
            return layer_name if len(ports) == 1 else f'{layer_name}.{index}'
    raise TwinError(f"layer '{layer_name}' has no output port {port_id}")


def file_name(name):
    return re.sub(r'[^A-Za-z0-9._-]', '_', name) + '.npy'


def run(command, what, env=None):
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        raise TwinError(f"{what} failed: {lines[-1] if lines else f'exit code {done.returncode}'}")


def compare(side, xml_root, es_dir, ort_dir, tolerance):
    worst = (0.0, None)
    for output in side['outputs']:
        name = edgesight_name(xml_root, output['producer'], output['port'])
        expected = np.load(os.path.join(ort_dir, file_name(output['name']))).astype(np.float64)
        actual = np.load(os.path.join(es_dir, file_name(name))).astype(np.float64)
        if actual.shape != expected.shape:
            raise TwinError(f"output {name}: edgesight gives {list(actual.shape)}, "
                           f"ONNX Runtime {list(expected.shape)}")
        if actual.size == 0:
            continue
        if not np.array_equal(np.isnan(actual), np.isnan(expected)):
            raise TwinError(f"output {name}: NaN in one engine's values only")
        finite = ~np.isnan(expected)
        span = float(np.ptp(expected[finite])) if finite.any() else 0.0
        difference = float(np.max(np.abs(actual[finite] - expected[finite]), initial=0.0))
        relative = difference / (span if span > 0 else 1.0)
        if relative > tolerance:
            raise TwinError(f"output {name}: max |d| {difference:.3g} is {relative:.2g} of its "
                           f"range {span:.3g} (tolerance {tolerance:g})")
        worst = max(worst, (relative, name), key=lambda pair: pair[0])
    return worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('model')
    parser.add_argument('twin')
    parser.add_argument('--edgesight', required=True)
    parser.add_argument('--run-ort', required=True)
    parser.add_argument('--modules', required=True)
    parser.add_argument('--work', required=True)
    parser.add_argument('--tolerance', type=float, default=1e-3)
    options = parser.parse_args()
    try:
        with open(options.twin + '.json') as file:
            side = json.load(file)
        xml_root = ET.parse(options.model).getroot()
        os.makedirs(options.work, exist_ok=True)
        inputs = make_inputs(side, options.work)
        es_dir, ort_dir = os.path.join(options.work, 'edgesight'), os.path.join(options.work, 'ort')
        cut_producers = {o['producer'] for o in side['outputs'] if 'cut_input_of' in o}
        command = [options.edgesight, 'infer', options.model, '--output-dir', es_dir]
        command += [f'--input={argument}' for argument in inputs]
        command += [f'--add-output={producer}' for producer in sorted(cut_producers)]
        run(command, 'edgesight infer')
        command = ['node', options.run_ort, options.twin, '--out-dir', ort_dir]
        for argument in inputs:
            command += ['--in', argument]
        modules = os.path.join(os.path.abspath(options.modules), 'node_modules')
        run(command, 'ONNX Runtime (run_ort.js)', dict(os.environ, NODE_PATH=modules))
        relative, name = compare(side, xml_root, es_dir, ort_dir, options.tolerance)
    except (TwinError, OSError, ValueError, ET.ParseError) as error:
        print(f'error: {error}')
        return 1
    count = len(side['outputs'])
    print(f"ok: {count} output{'s' if count != 1 else ''}, max |d| {relative:.1g} of range "
          f"({name})")
    return 0


if __name__ == '__main__':
    sys.exit(main())
