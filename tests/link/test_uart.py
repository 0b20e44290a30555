# amaranth: UnusedElaboratable=no
"""link/uart.py in simulation, against a line model written here from the 8N1 definition.

The model: idle high; a frame is a low start bit, eight data bits LSB first,
a high stop bit, each ``divisor`` clock cycles long.
"""


import pytest
from amaranth import Module
from amaranth.sim import Simulator

from sigmoid_hw.hw.streamsim import stream_put
from sigmoid_hw.link.uart import UARTRx, UARTTx, baud_divisor

CLK = 1_600_000
BAUD = 100_000
DIV = 16  # CLK / BAUD


def frame_levels(byte, stop=1):
    """Line levels of one 8N1 frame, one per bit."""
    return [0] + [(byte >> k) & 1 for k in range(8)] + [stop]


def decode_line(samples, divisor):
    """Decode per-cycle line samples: list of (start_cycle, byte, stop_level)."""
    frames = []
    t = 0
    while t < len(samples):
        if samples[t] == 0:
            mid = t + divisor // 2
            if mid + 9 * divisor >= len(samples):
                break
            bits = [samples[mid + k * divisor] for k in range(10)]
            assert bits[0] == 0, "start bit not low in its middle at cycle {}".format(t)
            byte = sum(b << k for k, b in enumerate(bits[1:9]))
            frames.append((t, byte, bits[9]))
            t = mid + 9 * divisor + 1
            while t < len(samples) and samples[t] == 0:
                t += 1
        else:
            t += 1
    return frames


def run_rx(segments, *, ready_after=0, clk=CLK, baud=BAUD, tail_bits=3):
    """Drive ``segments`` [(level, cycles), ...] into a UARTRx; return the bytes it delivered."""
    dut = UARTRx(clk, baud)
    got = []
    total = sum(c for _, c in segments) + tail_bits * dut.divisor

    async def line(ctx):
        for level, cycles in segments:
            ctx.set(dut.rx, level)
            await ctx.tick().repeat(cycles)
        ctx.set(dut.rx, 1)

    async def sink(ctx):
        for cycle in range(total):
            ctx.set(dut.o.ready, cycle >= ready_after)
            _, _, valid, ready, payload = await ctx.tick().sample(
                dut.o.valid, dut.o.ready, dut.o.payload)
            if valid and ready:
                got.append((payload.data, payload.framing_error, payload.overrun))

    sim = Simulator(dut)
    sim.add_clock(1 / clk)
    sim.add_testbench(line)
    sim.add_testbench(sink)
    sim.run()
    return got


def bytes_segments(data, divisor, *, stop=1, period=None, gap=0):
    """Segments for bytes sent with bit length ``period`` (cycles, may be fractional)."""
    period = divisor if period is None else period
    levels = [lv for b in data for lv in frame_levels(b, stop)]
    segments, t, acc = [(1, 2 * divisor)], 0.0, 0
    for k, level in enumerate(levels):
        t += period
        cycles = round(t) - acc
        acc += cycles
        segments.append((level, cycles))
        if gap and k % 10 == 9:
            segments.append((1, gap))
    return segments


def test_tx_sends_back_to_back_frames():
    data = [0x00, 0xFF, 0x55, 0xA5, 0x01, 0x80, 0x3C]
    dut = UARTTx(CLK, BAUD)
    samples = []

    async def testbench(ctx):
        assert ctx.get(dut.tx) == 1
        for byte in data:
            await stream_put(ctx, dut.i, byte)

    async def recorder(ctx):
        for _ in range(len(data) * 10 * DIV + 4 * DIV):
            samples.append(ctx.get(dut.tx))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1 / CLK)
    sim.add_testbench(testbench)
    sim.add_testbench(recorder)
    sim.run()
    frames = decode_line(samples, DIV)
    assert [b for _, b, _ in frames] == data
    assert all(stop == 1 for _, _, stop in frames)
    starts = [t for t, _, _ in frames]
    # Back to back: each frame is exactly ten bits after the previous one.
    assert [b - a for a, b in zip(starts, starts[1:])] == [10 * DIV] * (len(data) - 1)
    # Every bit is exactly DIV cycles: the line only changes on bit boundaries.
    edges = [t for t in range(1, len(samples)) if samples[t] != samples[t - 1]]
    assert all((t - starts[0]) % DIV == 0 for t in edges)
    assert samples[-1] == 1


def test_rx_receives_bytes():
    data = [0x00, 0xFF, 0x55, 0xAA, 0x5A, 0xA5, 0x01, 0x80]
    got = run_rx(bytes_segments(data, DIV))
    assert got == [(b, 0, 0) for b in data]


@pytest.mark.parametrize("skew", [0.97, 1.03])
def test_rx_tolerates_rate_mismatch(skew):
    data = [0x00, 0xFF, 0x81, 0x7E, 0x33]
    got = run_rx(bytes_segments(data, DIV, period=DIV * skew))
    assert got == [(b, 0, 0) for b in data]


def test_rx_framing_error_is_flagged_and_next_byte_is_clean():
    segments = bytes_segments([0x4B], DIV, stop=0)
    segments.append((1, 3 * DIV))
    segments += bytes_segments([0xC3], DIV)[1:]
    got = run_rx(segments)
    assert got == [(0x4B, 1, 0), (0xC3, 0, 0)]


def test_rx_break_is_one_error():
    segments = [(1, 2 * DIV), (0, 40 * DIV), (1, 2 * DIV)] + bytes_segments([0x96], DIV)[1:]
    got = run_rx(segments)
    assert got == [(0x00, 1, 0), (0x96, 0, 0)]


def test_rx_ignores_glitch():
    segments = [(1, 2 * DIV), (0, DIV // 4), (1, 3 * DIV)] + bytes_segments([0x2D], DIV)[1:]
    assert run_rx(segments) == [(0x2D, 0, 0)]


def test_rx_overrun_is_reported_on_next_byte():
    # Nobody takes the first byte until long after the third has arrived.
    first = bytes_segments([0x11, 0x22, 0x33], DIV)
    ready_at = sum(c for _, c in first) + DIV
    segments = first + [(1, 3 * DIV)] + bytes_segments([0x44], DIV)[1:]
    got = run_rx(segments, ready_after=ready_at)
    assert got == [(0x11, 0, 0), (0x44, 0, 1)]


def test_loopback_at_115200_from_12_mhz():
    clk = 12_000_000
    data = [0x5A, 0x00, 0xFE]
    tx, rx = UARTTx(clk), UARTRx(clk)
    assert tx.divisor == rx.divisor == 104
    got = []

    m = Module()
    m.submodules.tx, m.submodules.rx = tx, rx
    m.d.comb += rx.rx.eq(tx.tx)

    async def source(ctx):
        for byte in data:
            await stream_put(ctx, tx.i, byte)

    async def sink(ctx):
        ctx.set(rx.o.ready, 1)
        while len(got) < len(data):
            _, _, valid, payload = await ctx.tick().sample(rx.o.valid, rx.o.payload)
            if valid:
                got.append((payload.data, payload.framing_error, payload.overrun))

    sim = Simulator(m)
    sim.add_clock(1 / clk)
    sim.add_testbench(source)
    sim.add_testbench(sink)
    sim.run_until(len(data) * 10 * 104 * 2 / clk)
    assert got == [(b, 0, 0) for b in data]


def test_divisor():
    assert baud_divisor(12e6, 115200) == 104
    assert baud_divisor(25e6, 115200) == 217
    assert baud_divisor(1_600_000, 100_000) == 16


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(clk_freq=0, baud=115200), TypeError,
     r"^Clock frequency must be a positive number, not 0$"),
    (dict(clk_freq=12e6, baud="fast"), TypeError,
     r"^Baud rate must be a positive number, not 'fast'$"),
    (dict(clk_freq=12e6, baud=4_000_000), ValueError,
     r"^Baud rate 4000000 is too high for a 12000000\.0 Hz clock: the UART needs at least "
     r"4 clock cycles per bit$"),
    (dict(clk_freq=1e6, baud=230400), ValueError,
     r"^Baud rate 230400 is 8\.5% off with a 1000000\.0 Hz clock \(divisor 4\); "
     r"at most 2 % is allowed$"),
])
@pytest.mark.parametrize("cls", [UARTTx, UARTRx])
def test_bad_parameters(cls, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        cls(**kwargs)
