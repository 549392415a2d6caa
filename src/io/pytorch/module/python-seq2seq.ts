/**
 * The Python source of an exported encoder–decoder (`gated export SEQ2SEQ --format pytorch-module`):
 * embeddings, dense layers, both attentions and the Model with encode / decode_step / greedy, each
 * computing gated's src/seq2seq/model.ts equations (repeated in the docstrings). The recurrent
 * stacks are python-stack.ts's Recurrent with python-cells.ts's cells; module-seq2seq.ts puts the
 * file together.
 *
 * Batch first throughout: src [B, S], memory [B, S, C], mask [B, S], decoder state a tuple of
 * [Ld, B, H] (h, and c for an LSTM decoder), logits [B, V].
 */

import { PYTHON_LOAD_METHOD } from "./python-stack.js";

/** Embedding, Dense and the two attention scores. */
export const PYTHON_SEQ2SEQ_LAYERS = `
class Embedding(nn.Module):
    """Token ids [...] -> rows of table [V, E]."""

    def __init__(self, vocabulary, size):
        super().__init__()
        self.table = nn.Parameter(torch.zeros(vocabulary, size))

    def forward(self, ids):
        return F.embedding(ids, self.table)


class Dense(nn.Module):
    """y = act(x @ W.T + b), W [O, I] (nn.Linear's layout), b [O]."""

    def __init__(self, spec):
        super().__init__()
        self.W = nn.Parameter(torch.zeros(spec["outputSize"], spec["inputSize"]))
        self.b = nn.Parameter(torch.zeros(spec["outputSize"]))
        self.act = activation(spec["activation"])

    def forward(self, x):
        return self.act(F.linear(x, self.W, self.b))


def attend(e, memory, mask):
    """alpha = softmax(e) over the source positions with mask (padding weighs exactly 0),
    c = sum_s alpha_s m_s. e [B, S], memory [B, S, C] -> (c [B, C], alpha [B, S])."""
    alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), -1)
    return (alpha.unsqueeze(1) @ memory).squeeze(1), alpha


class AdditiveAttention(nn.Module):
    """Bahdanau, Cho & Bengio 2015's score (gated's seq2seq/attention-additive.ts):
        k_s = W_k m_s,  e_s = v . tanh(W_q q + k_s + b)
    Wq [A, Q], Wk [A, C], b [A], v [A]."""

    def __init__(self, spec):
        super().__init__()
        A, Q, C = spec["attentionSize"], spec["querySize"], spec["memorySize"]
        self.Wq = nn.Parameter(torch.zeros(A, Q))
        self.Wk = nn.Parameter(torch.zeros(A, C))
        self.b = nn.Parameter(torch.zeros(A))
        self.v = nn.Parameter(torch.zeros(A))

    def keys(self, memory):
        return memory @ self.Wk.T

    def forward(self, query, memory, keys, mask):
        u = torch.tanh((query @ self.Wq.T).unsqueeze(1) + keys + self.b)
        return attend(u @ self.v, memory, mask)


class LuongAttention(nn.Module):
    """Luong, Pham & Manning 2015's "general" score (gated's seq2seq/attention-luong.ts):
        k_s = W_a m_s,  e_s = q . k_s
    Wa [Q, C]."""

    def __init__(self, spec):
        super().__init__()
        self.Wa = nn.Parameter(torch.zeros(spec["querySize"], spec["memorySize"]))

    def keys(self, memory):
        return memory @ self.Wa.T

    def forward(self, query, memory, keys, mask):
        return attend((keys @ query.unsqueeze(2)).squeeze(2), memory, mask)


ATTENTIONS = {"additive": AdditiveAttention, "bahdanau": AdditiveAttention, "luong": LuongAttention}
`;

/** The encoder–decoder. */
export const PYTHON_SEQ2SEQ_MODEL = `
class Model(nn.Module):
    """gated's encoder-decoder (seq2seq/model.ts); parameters named as in gated with the stacks'
    cells under "cells.layer{l}_{dir}".

        x_s = E_src[a_s];  m = encoder(x; src_len)              memory [B, S, C]
        z   = [h_fwd at step len - 1 ; h_rev at step 0]          the last layer's final states [B, C]
        s_0 = tanh(W_br z + b_br), layer l its columns l*H..     (bridge; without one s_0 = z in every layer)
    attention "none", "additive", "luong" (on the decoder output):
        d_t = [E_tgt[y_{t-1}] ; z]   (context "every-step"; "initial-only": E_tgt[y_{t-1}])
        h_t = decoder(d_t, s_{t-1});  c_t = attention(h_t, m);  h~_t = tanh(W_c [c_t ; h_t] + b_c)
    attention "bahdanau" (on the previous state, feeding the recurrence):
        c_t = attention(s_{t-1} of the top layer, m);  d_t = [E_tgt[y_{t-1}] ; (z ;) c_t]
        s_t = decoder(d_t, s_{t-1});  h~_t = tanh(W_c [c_t ; s_t ; E_tgt[y_{t-1}]] + b_c)
    o_t = W_o h~_t + b_o (logits; none: h~_t = h_t). An LSTM decoder's cell state starts at 0.
    Eval mode is gated's function. In train mode the decoder runs one step at a time, so a LiGRU
    decoder with batch normalisation takes each step's batch statistics (gated's training: the
    whole target sequence's).
    """

    def __init__(self, config=CONFIG):
        super().__init__()
        self.config = config
        E, kind = config["embeddingSize"], config["attention"]["kind"]
        self.source = Embedding(config["sourceVocabulary"], E)
        self.target = Embedding(config["targetVocabulary"], E)
        self.encoder = Recurrent(config["encoder"])
        self.bridge = Dense(config["bridge"]) if config["bridge"] else None
        self.decoder = Recurrent(config["decoder"])
        self.attention = ATTENTIONS[kind](config["attention"]) if kind != "none" else None
        self.combine = Dense(config["combine"]) if config["combine"] else None
        self.output = Dense(config["output"])
        self.every_step = config["context"] == "every-step"
        self.feeds_input = kind == "bahdanau"
        self.bos, self.eos = config["vocabularies"]["bos"], config["vocabularies"]["eos"]
        if config["dtype"] == "float64":
            self.double()

${PYTHON_LOAD_METHOD}
    def encode(self, src, src_len):
        """src [B, S] int64 ids, src_len [B] integers in 1..S -> (enc_out, state, mask):
        enc_out {"memory": [B, S, C], "summary": z [B, C], "keys": the attention's keys [B, S, K]
        or None}, state the decoder's initial state (a tuple of [Ld, B, H]), mask [B, S] (s < src_len)."""
        src = torch.as_tensor(src, dtype=torch.long)
        if src.dim() != 2:
            raise ValueError(f"encode: expected source ids of shape [B, S], got {list(src.shape)}")
        B, S = src.shape
        lengths = torch.as_tensor(src_len, dtype=torch.long, device=src.device)
        if lengths.shape != (B,) or bool(((lengths < 1) | (lengths > S)).any()):
            raise ValueError(f"encode: src_len must be [B] = [{B}] integers in 1..{S}, got {lengths.tolist()}")
        memory = self.encoder(self.source(src), lengths)
        H, rows = memory.shape[2] // len(self.encoder.directions), torch.arange(B, device=src.device)
        z = torch.cat([memory[rows, lengths - 1 if d == "forward" else torch.zeros_like(lengths), i * H : (i + 1) * H]
                       for i, d in enumerate(self.encoder.directions)], 1)
        Ld, Hd = self.decoder.layers, self.config["decoder"]["hiddenSize"]
        if self.bridge is not None:
            y = self.bridge(z)
            h0 = torch.stack([y[:, l * Hd : (l + 1) * Hd] for l in range(Ld)])
        else:
            h0 = torch.stack([z] * Ld)
        states = self.decoder.cells["layer0_forward"].states
        state = (h0,) + tuple(torch.zeros_like(h0) for _ in range(states - 1))
        mask = torch.arange(S, device=src.device).unsqueeze(0) < lengths.unsqueeze(1)
        keys = self.attention.keys(memory) if self.attention is not None else None
        return {"memory": memory, "summary": z, "keys": keys}, state, mask

    def stack_step(self, x, state):
        """One step of the decoder's layers: x [B, I], state a tuple of [Ld, B, H] -> (top h [B, H], new state)."""
        new = []
        for l in range(self.decoder.layers):
            cell = self.decoder.cells[f"layer{l}_forward"]
            s = tuple(part[l] for part in state)
            s = cell.step(cell.project(x.unsqueeze(1), None)[:, 0], s, s[0])
            new.append(s)
            x = s[0]
        return x, tuple(torch.stack([s[c] for s in new]) for c in range(len(state)))

    def decode_step(self, prev_token, state, enc_out, mask):
        """prev_token [B] int64 (bos first), state as encode or the last step gave it ->
        (logits [B, V], the new state)."""
        e = self.target(torch.as_tensor(prev_token, dtype=torch.long))
        memory, keys = enc_out["memory"], enc_out["keys"]
        parts = [e, enc_out["summary"]] if self.every_step else [e]
        if self.feeds_input:
            c, _ = self.attention(state[0][-1], memory, keys, mask)
            s, state = self.stack_step(torch.cat(parts + [c], 1), state)
            h = self.combine(torch.cat([c, s, e], 1))
        else:
            h, state = self.stack_step(torch.cat(parts, 1), state)
            if self.attention is not None:
                c, _ = self.attention(h, memory, keys, mask)
                h = self.combine(torch.cat([c, h], 1))
        return self.output(h), state

    def forward(self, src, src_len, tgt_in):
        """Teacher forcing: tgt_in [B, T] (bos, y_1, ...) -> logits [B, T, V] (train with cross-entropy on y_1, ..., eos)."""
        enc_out, state, mask = self.encode(src, src_len)
        tgt_in = torch.as_tensor(tgt_in, dtype=torch.long, device=mask.device)
        logits = []
        for t in range(tgt_in.shape[1]):
            o, state = self.decode_step(tgt_in[:, t], state, enc_out, mask)
            logits.append(o)
        return torch.stack(logits, 1)

    @torch.no_grad()
    def greedy(self, src, src_len, max_len=64):
        """Greedy decoding (argmax, the lowest id on a tie) of every row until it emits eos or max_len
        tokens -> [B, N] int64, N <= max_len; a row is its tokens up to its first eos, then eos."""
        enc_out, state, mask = self.encode(src, src_len)
        B = mask.shape[0]
        prev = torch.full((B,), self.bos, dtype=torch.long, device=mask.device)
        done = torch.zeros(B, dtype=torch.bool, device=mask.device)
        out = []
        for _ in range(max_len):
            logits, state = self.decode_step(prev, state, enc_out, mask)
            prev = torch.where(done, torch.full_like(prev, self.eos), logits.argmax(-1))
            out.append(prev)
            done = done | (prev == self.eos)
            if bool(done.all()):
                break
        return torch.stack(out, 1)
`;
