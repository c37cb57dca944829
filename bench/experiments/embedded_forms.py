# ruff: noqa: E402, E501, E701, E702, E741, SIM115 - a lab script, kept as it was run
"""What each sentence is embedded as, and which article a question is about (issue 11, parts 2 and 4): dense
search alone over every stored sentence, each form scored on the same questions, plus article-level retrieval and
simple combinations. A lab script, run on an index `newsbot index` made:

    NEWSBOT_DATA=/tmp/pn newsbot index ../shared/eval/polnear-train/docs.jsonl
    python -m bench.experiments.embedded_forms /tmp/pn ../shared/eval/polnear-qa/questions.jsonl [--model minilm|mpnet]

Environment: SUBSET=1 keeps only the articles the questions ask about; FULL=1 also embeds "previous sentence +
sentence" and the paragraph; EXP2=1 prints the article-level and oracle figures. Embeddings are cached in the data
folder (exp_<model>[_sub]_<form>.npy). The "title. sentence" vectors are the ones the index stores.
"""
from __future__ import annotations

import json
import math
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from index.evaluation.dataset import read_questions  # noqa: E402
from index.terms import content_terms  # noqa: E402

store_dir = Path(sys.argv[1])
qpath = Path(sys.argv[2])
model = "minilm"
if "--model" in sys.argv:
    model = sys.argv[sys.argv.index("--model") + 1]

db = sqlite3.connect(store_dir / "newsbot.sqlite3")
arts = db.execute("SELECT id, doc_id, title, text FROM articles ORDER BY id").fetchall()
sents = db.execute("SELECT id, article_id, position, paragraph, text FROM sentences ORDER BY article_id, position").fetchall()
print(len(arts), "articles", len(sents), "sentences", flush=True)
import os

SUB = os.environ.get("SUBSET")
if SUB:
    want = {json.loads(l)["doc_id"] for l in open(qpath)}
    arts = [a for a in arts if a[1] in want]
    keep = {a[0] for a in arts}
    sents = [s for s in sents if s[1] in keep]
    model_tag = "sub"
    print("subset:", len(arts), "articles", len(sents), "sentences", flush=True)
art_ix = {a[0]: i for i, a in enumerate(arts)}
sid = np.array([s[0] for s in sents])
s_art = np.array([art_ix[s[1]] for s in sents])
s_text = [s[4] for s in sents]
s_doc = [arts[a][1] for a in s_art]
titles = [a[2] or "" for a in arts]
by_art = defaultdict(list)
for i, s in enumerate(sents):
    by_art[art_ix[s[1]]].append(i)


def encoder():
    if model == "minilm":
        from index.encoder import MiniLMEncoder
        enc = MiniLMEncoder(batch_size=64)
        return lambda t: enc.encode(t, "document")
    from sentence_transformers import SentenceTransformer

    from index.encoder import MPNET_DIR
    m = SentenceTransformer(str(MPNET_DIR), device="cpu", local_files_only=True)
    return lambda t: m.encode(list(t), batch_size=32, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)


_enc = None


def embed(name, texts):
    global _enc
    p = store_dir / f"exp_{model}{'_sub' if SUB else ''}_{name}.npy"
    if p.exists():
        return np.load(p)
    if _enc is None:
        _enc = encoder()
    t0 = time.time()
    v = _enc(texts)
    print(f"embedded {name}: {len(texts)} in {time.time()-t0:.0f}s", flush=True)
    np.save(p, v)
    return v


def lead_of(a):
    idx = by_art[a][:3]
    return " ".join(s_text[i] for i in idx)


V = {}
V["S"] = embed("S", s_text)
blobs = dict(db.execute("SELECT id, vector FROM sentences"))
if model == "minilm":
    V["TS"] = np.stack([np.frombuffer(blobs[i], dtype=np.float32) for i in sid])
elif os.environ.get("TS"):
    V["TS"] = embed("TS", [f"{titles[a]}. {t}" if titles[a] else t for a, t in zip(s_art, s_text, strict=False)])
import os

FULL = os.environ.get("FULL")
prev = []
for i, t in enumerate(s_text):
    p = s_text[i - 1] if i > 0 and s_art[i - 1] == s_art[i] else ""
    prev.append(f"{p} {t}".strip())
if FULL: V["PS"] = embed("PS", prev)
paras = {}
for i, s in enumerate(sents):
    paras.setdefault((s[1], s[3]), []).append(i)
pkeys = list(paras)
pv = None if not FULL else embed("PARA", [" ".join(s_text[i] for i in paras[k]) for k in pkeys])
if FULL:
    V["PARA"] = np.zeros_like(V["S"])
    for k, vec in zip(pkeys, pv, strict=False):
        V["PARA"][paras[k]] = vec
A_T = embed("T", [t or "" for t in titles])
A_L = embed("TL", [f"{titles[a]}. {lead_of(a)}" for a in range(len(arts))])
A_M = np.zeros((len(arts), V["S"].shape[1]), dtype=np.float32)
for a, idx in by_art.items():
    m = V["S"][idx].mean(0)
    A_M[a] = m / (np.linalg.norm(m) + 1e-9)

# BM25, sentence-level (own implementation, content terms) and article-level (title + text)
def bm25_index(docs_terms, k1=1.2, b=0.75):
    df = Counter()
    for ts in docs_terms:
        df.update(set(ts))
    n = len(docs_terms)
    avg = sum(map(len, docs_terms)) / n
    post = defaultdict(list)
    for d, ts in enumerate(docs_terms):
        c = Counter(ts)
        L = len(ts)
        for t, f in c.items():
            post[t].append((d, f * (k1 + 1) / (f + k1 * (1 - b + b * L / avg))))
    idf = {t: math.log(1 + (n - v + 0.5) / (v + 0.5)) for t, v in df.items()}
    return post, idf, n


def bm25_scores(ix, qterms):
    post, idf, n = ix
    out = np.zeros(n, dtype=np.float32)
    for t in set(qterms):
        for d, w in post.get(t, ()):
            out[d] += idf[t] * w
    return out


S_BM = bm25_index([content_terms(t) for t in s_text])
A_BM = bm25_index([content_terms((titles[a] + " ") * 1 + " ".join(s_text[i] for i in by_art[a])) for a in range(len(arts))])
AL_BM = bm25_index([content_terms(titles[a] + " " + lead_of(a)) for a in range(len(arts))])


def run(qs, label):
    qv = (_enc or encoder())([q.question for q in qs]) if False else None
    return qv


qs = read_questions(qpath)
qp = store_dir / f"exp_{model}_Q_{qpath.stem}.npy"
if qp.exists():
    Q = np.load(qp)
else:
    if _enc is None:
        _enc = encoder()
    Q = _enc([q.question for q in qs])
    np.save(qp, Q)

right = np.zeros((len(qs), len(sents)), dtype=bool)
for qi, q in enumerate(qs):
    for i in by_art[[a[1] for a in arts].index(q.doc_id)] if q.doc_id in {a[1] for a in arts} else []:
        right[qi, i] = any(a in s_text[i] for a in q.answers)


def evaluate(score):
    """score: (nq, nsent); returns P@1, R@5."""
    p1 = r5 = 0
    for qi in range(len(qs)):
        top = np.argpartition(-score[qi], 5)[:5]
        top = top[np.argsort(-score[qi][top])]
        p1 += right[qi, top[0]]
        r5 += right[qi, top].any()
    return p1 / len(qs), r5 / len(qs)


def z(x):
    return (x - x.mean(1, keepdims=True)) / (x.std(1, keepdims=True) + 1e-9)


def rrf(*scores, k=60):
    out = np.zeros_like(scores[0])
    for s in scores:
        r = np.argsort(np.argsort(-s, 1), 1)
        out += 1 / (k + r + 1)
    return out


cos = {k: Q @ v.T for k, v in V.items()}
artc = {"T": Q @ A_T.T, "TL": Q @ A_L.T, "M": Q @ A_M.T}
bm_s = np.stack([bm25_scores(S_BM, content_terms(q.question)) for q in qs])
bm_a = np.stack([bm25_scores(A_BM, content_terms(q.question)) for q in qs])
bm_al = np.stack([bm25_scores(AL_BM, content_terms(q.question)) for q in qs])
res = {}
for k, c in cos.items():
    res[f"dense {k}"] = evaluate(c)
res["bm25 sent"] = evaluate(bm_s)
res["rrf(bm25, S)"] = evaluate(rrf(bm_s, cos["S"]))
if "TS" in cos: res["rrf(bm25, TS)"] = evaluate(rrf(bm_s, cos["TS"]))
# article-level retrieval accuracy
gold_art = np.array([[a[1] for a in arts].index(q.doc_id) for q in qs])
for k, c in {**artc, "bm25 art": bm_a, "bm25 TL": bm_al}.items():
    r1 = (c.argmax(1) == gold_art).mean()
    r10 = np.mean([g in np.argsort(-c[i])[:10] for i, g in enumerate(gold_art)])
    res[f"article {k} (R@1, R@10)"] = (r1, r10)
for ak, ac in {**artc, "bm25art": bm_a}.items():
    A = ac[:, s_art]
    for sk in [k for k in ("S", "PS", "PARA", "TS") if k in V]:
        for w in (0.5, 1.0, 2.0):
            if ak.startswith("bm25"):
                res[f"z(cos {sk}) + {w} z(art {ak})"] = evaluate(z(cos[sk]) + w * z(A))
            else:
                res[f"cos {sk} + {w} art {ak}"] = evaluate(cos[sk] + w * A)

import os

if os.environ.get("EXP2"):
    res = {}
    gold_mask = (s_art[None, :] == gold_art[:, None])
    def within(score):
        return evaluate(np.where(gold_mask, score, -1e9))
    for k in [k for k in ("S", "PS", "PARA", "TS") if k in V]:
        res[f"oracle article: cos {k}"] = within(cos[k])
    res["oracle article: bm25 s"] = within(bm_s)
    res["oracle article: cos S + 0.1 bm s/max"] = within(cos["S"] + 0.1 * bm_s / (bm_s.max(1, keepdims=True) + 1e-9))
    res["oracle article: cos S + 0.3 bm s/max"] = within(cos["S"] + 0.3 * bm_s / (bm_s.max(1, keepdims=True) + 1e-9))
    zb = z(bm_a); zt = z(artc["TL"]); zm = z(artc["M"])
    for name, art in {"bmart": zb, "TL": zt, "bmart+TL": zb + zt, "bmart+TL+M": zb + zt + zm}.items():
        r1 = (art.argmax(1) == gold_art).mean()
        r3 = np.mean([g in np.argsort(-art[i])[:3] for i, g in enumerate(gold_art)])
        r10 = np.mean([g in np.argsort(-art[i])[:10] for i, g in enumerate(gold_art)])
        res[f"article {name} R@1 R@3 R@10"] = (r1, r3, r10)
        A = art[:, s_art]
        for sk in [k for k in ("S", "TS", "PS") if k in V]:
            for w in (0.02, 0.05, 0.1, 0.2):
                res[f"cos {sk} + {w}*z({name})"] = evaluate(cos[sk] + w * A)
    for k, v in res.items():
        print(f"{k:55s} " + " ".join(f"{x:.3f}" for x in v))
    sys.exit(0)
zs = z(bm_s)
for w in (0.5, 1.0):
    for ak in ("TL", "M"):
        A = z(artc[ak])[:, s_art]
        res[f"z(cos S)+z(bm s)+{w}z(art {ak})"] = evaluate(z(cos["S"]) + zs + w * A)
        res[f"z(cos S)+z(bm s)+{w}z(art {ak})+{w}z(bmart)"] = evaluate(z(cos["S"]) + zs + w * A + w * z(bm_a)[:, s_art])
        res[f"rrf(bm s, cos S, art {ak}, bmart)"] = evaluate(rrf(bm_s, cos["S"], artc[ak][:, s_art], bm_a[:, s_art]))
for k, (a, b) in res.items():
    print(f"{k:55s} {a:.3f} {b:.3f}")
json.dump(res, open(store_dir / f"exp_{model}_{qpath.stem}.json", "w"), indent=1)
