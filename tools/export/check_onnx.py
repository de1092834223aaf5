#!/usr/bin/python3
"""Checks exported models with ONNX's own checker (what Netron and other tools expect).

    apt-get install python3-onnx
    /usr/bin/python3 tools/export/check_onnx.py model.onnx [more.onnx ...]

For each file: onnx.checker.check_model(full_check=True) (which runs strict shape inference),
then prints the graph inputs and outputs with their (symbolic) dimensions and the img2img metadata.
"""
import sys

import onnx


def dims(v):
    return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]


for path in sys.argv[1:]:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    print(f'{path}: ok (opset {model.opset_import[0].version}, {len(model.graph.node)} nodes)')
    for v in model.graph.input:
        print(f'  input  {v.name} {dims(v)}')
    for v in model.graph.output:
        print(f'  output {v.name} {dims(v)}')
    for p in model.metadata_props:
        print(f'  {p.key}: {p.value[:100]}')
