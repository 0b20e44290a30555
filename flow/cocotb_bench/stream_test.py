"""cocotb test of an exported sigmoid-hw design: every vector through the stream ports.

Written beside the Verilog by ``sigmoid-hw export --cocotb DIR`` with
``bench.json`` (top module, port widths, latency, vector files, stall and gap
probabilities, seed) and ``run.py`` (cocotb's runner, for Icarus or
Verilator). The vectors are the inputs and the integer model's outputs, big
endian words in two binary files (``flow/vectors.py``). The test drives
``i`` with random gaps, stalls ``o`` at random, checks every output word in
order, checks the stream rule on ``o`` (a word offered stays offered, with
its payload, until taken) and fails naming the count of mismatches and of
missing words (a word never delivered is missing, not a mismatch).
"""

import json
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, ReadOnly

__all__ = ["stream_vectors"]


def _words(path, width):
    size = 4 if width <= 32 else 8
    with open(path, "rb") as f:
        data = f.read()
    return [int.from_bytes(data[k:k + size], "big") for k in range(0, len(data), size)]


def _config():
    folder = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(folder, "bench.json")) as f:
        config = json.load(f)
    for key in ("inputs", "expected"):
        config[key] = os.path.join(folder, config[key])
    return config


@cocotb.test()
async def stream_vectors(dut):
    """Every vector in, every result out in order, equal to the model."""
    config = _config()
    xs = _words(config["inputs"], config["in_width"])
    ys = _words(config["expected"], config["out_width"])
    rng = random.Random(config["seed"])
    patience = config["patience"]
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    for name, value in config.get("constants", {}).items():
        getattr(dut, name).value = value
    dut.i__valid.value = 0
    dut.o__ready.value = 0
    dut.i__payload.value = 0
    dut.rst.value = 1
    for _ in range(4):
        await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0
    sent = received = mismatches = stream_errors = idle = 0
    first = []
    offered = held = False
    held_payload = None
    while received < len(ys) and idle <= patience:
        valid = sent < len(xs) and (offered or rng.random() >= config["gap"])
        dut.i__valid.value = int(valid)
        dut.i__payload.value = xs[sent] if sent < len(xs) else 0
        dut.o__ready.value = int(rng.random() >= config["stall"])
        await ReadOnly()      # settled, before the rising edge: what the edge will sample
        in_fire = valid and int(dut.i__ready.value)
        o_valid, o_ready = int(dut.o__valid.value), int(dut.o__ready.value)
        payload = int(dut.o__payload.value) if o_valid else None
        await RisingEdge(dut.clk)
        await FallingEdge(dut.clk)
        if held and (not o_valid or payload != held_payload):
            stream_errors += 1
        if in_fire:
            sent += 1
        if o_valid and o_ready:
            if payload != ys[received]:
                mismatches += 1
                if len(first) < 8:
                    first.append((received, xs[received], payload, ys[received]))
            received += 1
        offered = valid and not in_fire
        held, held_payload = bool(o_valid and not o_ready), payload
        idle = 0 if (in_fire or (o_valid and o_ready)) else idle + 1
    missing = len(ys) - received
    dut._log.info("%d vectors: %d received, %d mismatches, %d missing, %d stream errors",
                  len(ys), received, mismatches, missing, stream_errors)
    for k, x, got, want in first:
        dut._log.error("output %d: x = 0x%x, got 0x%x, expected 0x%x", k, x, got, want)
    assert (mismatches, missing, stream_errors) == (0, 0, 0), (
        "{} mismatches, {} missing, {} stream errors of {} vectors".format(
            mismatches, missing, stream_errors, len(ys)))
