#!/usr/bin/env python3
"""Writes a tiny but real GGUF model for the engine tests: llama architecture, random weights, and a real
byte-level BPE tokenizer (GPT-2 byte mapping and pre-tokenizer) whose merges are learned here from a short
English text, so it tokenizes any text (every byte is a token) and common words into few tokens.

Usage: tiny-model.py OUT.gguf [--pooling mean]     (run with the gguf venv e2e/engines/build.sh caches)
  --pooling mean   declare mean pooling: an embedding model (llama-server --embeddings needs a pooling type;
                   Ollama then treats the model as embedding-only, so chat models are written without it)

Deterministic: the same gguf package version writes the same bytes (fixed seed, fixed training text).
Prints a JSON line describing the model (vocab size, special token ids, file size).
"""
import json
import os
import re
import sys
from collections import Counter

import gguf
import numpy as np

N_MERGES = 700
N_EMBD = 128
N_LAYER = 2
N_HEAD = 4
N_HEAD_KV = 2
N_FF = 352
N_CTX_TRAIN = 4096

# Our own training text (plain English about the project's domain), so merges cover everyday words.
TRAINING_TEXT = """
The gateway is the single chokepoint every inference request goes through. A platform team runs models for
many internal teams, and each team gets an API key, a budget and a rate limit. The operator reads the custom
resources and writes the deployments, the services and the network policies. When a request arrives, the
gateway checks who is calling, whether the account is allowed, whether the tier may use the model, and
whether the key may call this endpoint. Then it estimates the cost of the request and reserves it against
the budget before any work is done on the GPU. After the model answers, the gateway charges the real usage
and releases the rest of the reservation. Outputs are filtered on the way back, so a secret that the model
writes is redacted before the client sees it, also when the answer is streamed in small chunks.
Hello, how are you today? I am fine, thank you. Please write a short story about a cat and a dog who live
in a small house near the river. The cat likes to sleep in the sun and the dog likes to run in the park.
What is the capital of France? The capital of France is Paris. What is two plus two? Two plus two is four.
Summarise the following text in one sentence. Translate this sentence into French. Explain it simply.
The quick brown fox jumps over the lazy dog. This is a test of the tokenizer, with numbers like 1, 2, 3,
42 and 2024, punctuation such as commas, full stops, question marks and quotes, and a few longer words:
information, configuration, authentication, authorization, reservation, administration, infrastructure.
"""

CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# GPT-2's pre-tokenizer pattern (what llama.cpp uses for tokenizer.ggml.pre = "gpt-2"), ASCII subset.
PRETOK = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable unicode mapping."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def train_bpe(text: str, n_merges: int) -> tuple[list[str], list[str]]:
    b2u = bytes_to_unicode()
    words = Counter(tuple(b2u[b] for b in w.encode("utf-8")) for w in PRETOK.findall(text))
    vocab = [b2u[b] for b in range(256)]
    merges: list[str] = []
    for _ in range(n_merges):
        pairs: Counter = Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        # most frequent pair; ties broken lexicographically so the result is deterministic
        (a, b), count = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if count < 2:
            break
        merges.append(f"{a} {b}")
        vocab.append(a + b)
        merged: Counter = Counter()
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] += c
        words = merged
    return vocab, merges


def main() -> None:
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2:] != ["--pooling", "mean"]):
        sys.exit("usage: tiny-model.py OUT.gguf [--pooling mean]")
    out = sys.argv[1]
    pooling = len(sys.argv) == 4
    vocab, merges = train_bpe(TRAINING_TEXT, N_MERGES)
    tokens = vocab + SPECIALS
    types = [gguf.TokenType.NORMAL] * len(vocab) + [gguf.TokenType.CONTROL] * len(SPECIALS)
    n_vocab = len(tokens)
    eos, im_start, im_end = (tokens.index(s) for s in SPECIALS)

    w = gguf.GGUFWriter(out, "llama")
    w.add_name("tollgate-tiny-llama")
    w.add_context_length(N_CTX_TRAIN)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_rope_freq_base(10000.0)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    if pooling:
        w.add_pooling_type(gguf.PoolingType.MEAN)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(eos)
    w.add_eos_token_id(eos)
    w.add_eot_token_id(im_end)
    w.add_add_bos_token(False)
    w.add_chat_template(CHATML)

    rng = np.random.default_rng(20261201)

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    head_dim = N_EMBD // N_HEAD
    w.add_tensor("token_embd.weight", rand(n_vocab, N_EMBD))
    for i in range(N_LAYER):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        w.add_tensor(f"blk.{i}.attn_q.weight", rand(N_HEAD * head_dim, N_EMBD))
        w.add_tensor(f"blk.{i}.attn_k.weight", rand(N_HEAD_KV * head_dim, N_EMBD))
        w.add_tensor(f"blk.{i}.attn_v.weight", rand(N_HEAD_KV * head_dim, N_EMBD))
        w.add_tensor(f"blk.{i}.attn_output.weight", rand(N_EMBD, N_HEAD * head_dim))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        w.add_tensor(f"blk.{i}.ffn_gate.weight", rand(N_FF, N_EMBD))
        w.add_tensor(f"blk.{i}.ffn_up.weight", rand(N_FF, N_EMBD))
        w.add_tensor(f"blk.{i}.ffn_down.weight", rand(N_EMBD, N_FF))
    w.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    w.add_tensor("output.weight", rand(n_vocab, N_EMBD))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(json.dumps({
        "path": out, "bytes": os.path.getsize(out), "vocab": n_vocab, "merges": len(merges),
        "eos": eos, "im_start": im_start, "im_end": im_end, "chatTemplate": "chatml", "pooling": "mean" if pooling else "none",
    }))


if __name__ == "__main__":
    main()
